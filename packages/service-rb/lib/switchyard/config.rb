# frozen_string_literal: true

module Switchyard
  # The settings from the environment every Switchyard process reads: NATS_URL (comma-separated for
  # a cluster), NATS_CREDS, NATS_USER + NATS_PASSWORD, NATS_TOKEN, NATS_KV_REPLICAS (KvReplicas),
  # NATS_INBOX_PREFIX (where replies to this process arrive: the subjects its credentials may
  # subscribe to), NATS_TLS_CA,
  # NATS_TLS_CERT + NATS_TLS_KEY (TlsSettings), BUILD_REVISION (the build's revision, shown in the
  # service metadata) and SWITCHYARD_DEPLOYMENT (the instance's deployment; the Server has a
  # default). The inbox prefix, the TLS files, the revision and the deployment are nil when unset or
  # empty. packages/protocol/src/nats-env.ts reads the same.
  class Config
    DEFAULT_URL = "nats://127.0.0.1:4222"
    SERVER_URL = %r{\A(?:(?:nats|tls|ws|wss)://[^\s/]+|[^\s:/]+:\d+)\z}
    # Subject tokens without wildcards, as nats-pure and nats.js check.
    INBOX_PREFIX = /\A[A-Za-z0-9_$-]+(?:\.[A-Za-z0-9_$-]+)*\z/
    # Up to this much is added to nats-pure's wait before it tries a server it was connected to
    # again (seconds): nats-pure 2.7 has no reconnect jitter, so each connection draws its own wait,
    # and the clients of a node that went away do not all come back to it at the same instant.
    RECONNECT_JITTER = 1.0

    attr_reader :servers, :user, :password, :token, :creds, :inbox_prefix, :tls, :revision, :deployment

    def self.from_env(env = ENV)
      KvReplicas.from_env(env) # read where buckets are made; a bad value stops the process here
      new(
        servers: env.fetch("NATS_URL", DEFAULT_URL).split(",").map(&:strip).reject(&:empty?),
        user: env["NATS_USER"],
        password: env["NATS_PASSWORD"],
        token: env["NATS_TOKEN"],
        creds: env["NATS_CREDS"],
        inbox_prefix: env["NATS_INBOX_PREFIX"],
        tls_ca: env["NATS_TLS_CA"],
        tls_cert: env["NATS_TLS_CERT"],
        tls_key: env["NATS_TLS_KEY"],
        revision: env["BUILD_REVISION"],
        deployment: env[Deployment::VARIABLE]
      )
    end

    # The server URL with its password (or token) replaced by ***, for log lines and errors.
    def self.redact(server)
      server.to_s.sub(%r{\A([a-z]+://)([^@/\s]*)@}i) do
        scheme = Regexp.last_match(1)
        user, separator, _password = Regexp.last_match(2).partition(":")
        separator.empty? ? "#{scheme}***@" : "#{scheme}#{user}:***@"
      end
    end

    def initialize(servers: [DEFAULT_URL], user: nil, password: nil, token: nil, creds: nil, inbox_prefix: nil,
      tls_ca: nil, tls_cert: nil, tls_key: nil, revision: nil, deployment: nil)
      @servers = servers.dup.freeze
      @user = user
      @password = password
      @token = token
      @creds = creds
      @inbox_prefix = presence(inbox_prefix)
      @revision = presence(revision)
      @deployment = presence(deployment)
      validate
      @tls = TlsSettings.from(ca_file: presence(tls_ca), cert_file: presence(tls_cert), key_file: presence(tls_key))
      freeze
    end

    def url
      servers.join(",")
    end

    # The servers as log lines may show them: no password, no token.
    def redacted_url
      servers.map { |server| self.class.redact(server) }.join(",")
    end

    # Options for NATS::Client#connect. A long-lived process keeps trying, the first connection
    # included: a restarted nats-server is picked up again on its own. A cluster's other servers are
    # learnt from each server's INFO (nats-pure keeps them unless ignore_discovered_urls).
    def connect_options(name)
      {
        name: name,
        reconnect: true,
        max_reconnect_attempts: -1,
        reconnect_time_wait: NATS::IO::RECONNECT_TIME_WAIT + rand * RECONNECT_JITTER,
        user: user,
        pass: password,
        auth_token: token,
        user_credentials: creds,
        custom_inbox_prefix: inbox_prefix,
        tls: tls && {context: tls.context}
      }.compact
    end

    private

    def validate
      raise ConfigError.new("NATS_URL", "must name at least one server") if servers.empty?

      servers.each do |server|
        next if SERVER_URL.match?(server)

        raise ConfigError.new("NATS_URL", "#{self.class.redact(server).inspect} is not a NATS server URL (nats://host:port)")
      end
      if user.nil? != password.nil?
        raise ConfigError.new(user.nil? ? "NATS_USER" : "NATS_PASSWORD", "NATS_USER and NATS_PASSWORD go together")
      end
      validate_creds if creds
      validate_inbox_prefix if inbox_prefix
      Deployment.check(deployment) if deployment
    end

    def presence(value)
      (value.nil? || value.empty?) ? nil : value
    end

    def validate_inbox_prefix
      return if INBOX_PREFIX.match?(inbox_prefix)

      raise ConfigError.new(
        "NATS_INBOX_PREFIX",
        "#{inbox_prefix.inspect} is not a subject prefix: tokens of letters, digits, '_', '-' or '$' joined by dots, no wildcards"
      )
    end

    def validate_creds
      raise ConfigError.new("NATS_CREDS", "cannot read #{creds}") unless File.file?(creds) && File.readable?(creds)
    end
  end
end
