# frozen_string_literal: true

require "openssl"

module Switchyard
  # TLS to NATS, as packages/protocol/src/nats-tls.ts reads it: NATS_TLS_CA (the CA that signed the
  # server's certificate; default: the system's), NATS_TLS_CERT + NATS_TLS_KEY (this process's
  # certificate and key, for a server that verifies clients: mutual TLS). Any of them makes TLS
  # required. Every file is read and parsed at start-up, so a bad one is a ConfigError naming its
  # variable, not a failed handshake later.
  class TlsSettings
    attr_reader :ca_file, :cert_file, :key_file

    # nil when none of the three is set.
    def self.from(ca_file:, cert_file:, key_file:)
      return nil if [ca_file, cert_file, key_file].all?(&:nil?)

      new(ca_file: ca_file, cert_file: cert_file, key_file: key_file)
    end

    def initialize(ca_file:, cert_file:, key_file:)
      @ca_file = ca_file
      @cert_file = cert_file
      @key_file = key_file
      validate
      freeze
    end

    def client_certificate?
      !cert_file.nil?
    end

    # A new context for NATS::IO::Client#connect's tls: {context:}; it verifies the server.
    def context
      params = {}
      params[:ca_file] = ca_file if ca_file
      if client_certificate?
        params[:cert] = OpenSSL::X509::Certificate.new(File.read(cert_file))
        params[:key] = OpenSSL::PKey.read(File.read(key_file), "")
      end
      OpenSSL::SSL::SSLContext.new.tap { |context| context.set_params(params) }
    end

    private

    def validate
      if cert_file.nil? != key_file.nil?
        raise ConfigError.new(cert_file.nil? ? "NATS_TLS_CERT" : "NATS_TLS_KEY", "NATS_TLS_CERT and NATS_TLS_KEY go together")
      end
      certificates("NATS_TLS_CA", ca_file) if ca_file
      return unless client_certificate?

      certificate = certificates("NATS_TLS_CERT", cert_file).first
      key = private_key
      return if certificate.check_private_key(key)

      raise ConfigError.new("NATS_TLS_KEY", "#{key_file} is not the key of the certificate in NATS_TLS_CERT (#{cert_file})")
    end

    def certificates(variable, file)
      list = OpenSSL::X509::Certificate.load(read(variable, file))
      raise ConfigError.new(variable, "#{file} is not a PEM certificate") if list.empty?

      list
    rescue OpenSSL::X509::CertificateError
      raise ConfigError.new(variable, "#{file} is not a PEM certificate")
    end

    # An empty passphrase, so that an encrypted key fails here rather than prompting on a terminal.
    def private_key
      OpenSSL::PKey.read(read("NATS_TLS_KEY", key_file), "")
    rescue OpenSSL::PKey::PKeyError
      raise ConfigError.new("NATS_TLS_KEY", "#{key_file} is not an unencrypted PEM private key")
    end

    def read(variable, file)
      File.read(file)
    rescue SystemCallError => error
      raise ConfigError.new(variable, "cannot read #{file}: #{error.class.name.split("::").last}")
    end
  end
end
