# frozen_string_literal: true

module Switchyard
  # A start-up setting that cannot be used; `variable` names the environment variable.
  class ConfigError < StandardError
    attr_reader :variable

    def initialize(variable, reason)
      @variable = variable
      super("#{variable}: #{reason}")
    end
  end
end
