# frozen_string_literal: true

require "logger"
require "time"

module Switchyard
  # One line per event: `2025-01-01T12:00:00.000Z INFO users-rb: started ...`.
  module Log
    def self.new(io = $stdout, progname:)
      io.sync = true if io.respond_to?(:sync=)
      Logger.new(io, progname: progname).tap do |logger|
        logger.formatter = proc do |severity, time, name, message|
          "#{time.utc.iso8601(3)} #{severity} #{name}: #{message}\n"
        end
      end
    end
  end
end
