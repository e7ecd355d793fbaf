# frozen_string_literal: true

require "logger"

module Switchyard
  # A stdlib Logger that writes one JSON object per line with pino's field names and levels, as the
  # TypeScript processes do, so that one query reads the logs of both (see LogFormatter):
  #
  #   logger.info("started: ...")
  #   logger.error(msg: "users.v1.UserService.Ping: RuntimeError: boom", reqId: "r1", err: error)
  module Log
    def self.new(io = $stdout, progname:)
      io.sync = true if io.respond_to?(:sync=)
      Logger.new(io, progname: progname, formatter: LogFormatter.new)
    end
  end
end
