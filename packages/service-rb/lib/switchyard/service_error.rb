# frozen_string_literal: true

module Switchyard
  # An error a handler raises on purpose: it becomes an error reply with a stable code, its HTTP
  # status, a description and, when one request field is at fault, that field's path (user.email).
  class ServiceError < StandardError
    attr_reader :code, :field

    def initialize(code, message, field: nil)
      @code = code.to_sym
      raise ArgumentError, "unknown error code #{code.inspect}" unless Protocol::ERROR_CODES.key?(@code)

      @field = field
      super(message)
    end

    def status
      Protocol::ERROR_CODES.fetch(code)
    end
  end
end
