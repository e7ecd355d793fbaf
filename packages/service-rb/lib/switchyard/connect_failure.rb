# frozen_string_literal: true

module Switchyard
  # One failed attempt to connect to NATS, classified as packages/protocol/src/nats-connect.ts does:
  # refused credentials and TLS failures are final (a reason, :auth or :tls); a server that is not up
  # yet (refused, reset, unreachable, not resolvable, silent) is worth waiting for (no reason).
  class ConnectFailure
    # nats-pure's messages when one side wants TLS and the other does not.
    TLS_NOT_OFFERED = %r{TLS/SSL not supported by server}
    TLS_REQUIRED = %r{TLS/SSL required by server}
    # The alerts a server that verifies clients answers a missing or untrusted certificate with.
    CLIENT_CERTIFICATE_ALERT = /alert (bad certificate|certificate required|unknown ca|certificate unknown)/

    attr_reader :reason, :text

    def self.of(error, config)
      new(*classify(error, config))
    end

    def self.classify(error, config)
      case error
      when NATS::IO::AuthError
        [:auth, "#{credentials(config)} refused: #{error.message.delete("'")}"]
      when OpenSSL::SSL::SSLError
        [:tls, "TLS failed: #{tls_text(error.message, config)}"]
      when NATS::IO::ConnectError
        connect_error(error)
      when SystemCallError
        [nil, error.is_a?(Errno::ECONNREFUSED) ? "connection refused" : error.message]
      when SocketError, NATS::IO::SocketTimeoutError
        [nil, error.message]
      else
        [:other, "#{error.class}: #{error.message}"]
      end
    end

    def self.connect_error(error)
      if TLS_NOT_OFFERED.match?(error.message)
        [:tls, "TLS is configured (NATS_TLS_CA, NATS_TLS_CERT) but the server does not offer it"]
      elsif TLS_REQUIRED.match?(error.message)
        [:tls, "the server requires TLS: set NATS_TLS_CA to the CA that signed its certificate (or use a tls:// URL)"]
      else
        [nil, error.message]
      end
    end

    def self.tls_text(message, config)
      if message.include?("certificate verify failed")
        "the server's certificate is not signed by a CA this process trusts (#{message[/certificate verify failed.*/]}): " \
          "set NATS_TLS_CA to the CA that signed it"
      elsif message.include?("does not match the server certificate")
        "the server's certificate does not name the host in NATS_URL (#{message})"
      elsif (match = CLIENT_CERTIFICATE_ALERT.match(message))
        alert = "TLS alert: #{match[1]}"
        if config.tls&.client_certificate?
          "the server rejected the client certificate in NATS_TLS_CERT (#{alert})"
        else
          "the server requires a client certificate (#{alert}): set NATS_TLS_CERT and NATS_TLS_KEY"
        end
      else
        message
      end
    end

    # Whose credentials the server refused, without their secret.
    def self.credentials(config)
      if config.user
        "the credentials of user #{config.user.inspect} (NATS_USER, NATS_PASSWORD) were"
      elsif config.token
        "the token (NATS_TOKEN) was"
      elsif config.creds
        "the credentials (NATS_CREDS) were"
      elsif config.servers.any? { |server| Config.redact(server) != server }
        "the credentials in NATS_URL were"
      else
        "no credentials were given (set NATS_USER and NATS_PASSWORD, NATS_CREDS or NATS_TOKEN), so the connection was"
      end
    end

    private_class_method :classify, :connect_error, :tls_text, :credentials

    def initialize(reason, text)
      @reason = reason
      @text = text
    end

    def final?
      !reason.nil?
    end
  end
end
