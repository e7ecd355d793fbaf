# frozen_string_literal: true

module Switchyard
  # A connection to NATS that retrying cannot fix: the server refused the credentials (reason
  # :auth) or TLS failed (:tls). The message is the one log line naming the cause.
  class NatsConnectError < StandardError
    attr_reader :reason

    def initialize(reason, message)
      @reason = reason
      super(message)
    end
  end
end
