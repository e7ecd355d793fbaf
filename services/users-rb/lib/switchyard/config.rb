# frozen_string_literal: true

module Switchyard
  # The settings from the environment every Switchyard process reads: NATS_URL (comma-separated for
  # a cluster), NATS_CREDS, NATS_USER + NATS_PASSWORD, NATS_TOKEN, BUILD_REVISION (the build's
  # revision, shown in the service metadata) and SWITCHYARD_DEPLOYMENT (the instance's deployment;
  # the Server has a default). The last two are nil when unset or empty.
  class Config
    DEFAULT_URL = "nats://127.0.0.1:4222"
    SERVER_URL = %r{\A(?:(?:nats|tls|ws|wss)://[^\s/]+|[^\s:/]+:\d+)\z}

    attr_reader :servers, :user, :password, :token, :creds, :revision, :deployment

    def self.from_env(env = ENV)
      new(
        servers: env.fetch("NATS_URL", DEFAULT_URL).split(",").map(&:strip).reject(&:empty?),
        user: env["NATS_USER"],
        password: env["NATS_PASSWORD"],
        token: env["NATS_TOKEN"],
        creds: env["NATS_CREDS"],
        revision: env["BUILD_REVISION"],
        deployment: env[Deployment::VARIABLE]
      )
    end

    def initialize(servers: [DEFAULT_URL], user: nil, password: nil, token: nil, creds: nil, revision: nil, deployment: nil)
      @servers = servers.dup.freeze
      @user = user
      @password = password
      @token = token
      @creds = creds
      @revision = presence(revision)
      @deployment = presence(deployment)
      validate
      freeze
    end

    def url
      servers.join(",")
    end

    # Options for NATS::Client#connect. A long-lived process keeps trying, the first connection
    # included: a restarted nats-server is picked up again on its own.
    def connect_options(name)
      {
        name: name,
        reconnect: true,
        max_reconnect_attempts: -1,
        user: user,
        pass: password,
        auth_token: token,
        user_credentials: creds
      }.compact
    end

    private

    def validate
      raise ConfigError.new("NATS_URL", "must name at least one server") if servers.empty?

      servers.each do |server|
        next if SERVER_URL.match?(server)

        raise ConfigError.new("NATS_URL", "#{server.inspect} is not a NATS server URL (nats://host:port)")
      end
      if user.nil? != password.nil?
        raise ConfigError.new(user.nil? ? "NATS_USER" : "NATS_PASSWORD", "NATS_USER and NATS_PASSWORD go together")
      end
      validate_creds if creds
      Deployment.check(deployment) if deployment
    end

    def presence(value)
      (value.nil? || value.empty?) ? nil : value
    end

    def validate_creds
      raise ConfigError.new("NATS_CREDS", "cannot read #{creds}") unless File.file?(creds) && File.readable?(creds)
    end
  end
end
