# frozen_string_literal: true

module Users
  # Wires the process together: configuration from the environment, the store on the work
  # connection, the service on the served one.
  module App
    module_function

    def run(env: ENV, out: $stdout)
      logger = Switchyard::Log.new(out, progname: "users-rb")
      config = Switchyard::Config.from_env(env)
      ping_shows_instance = Settings.ping_shows_instance(env)
      tracing = Switchyard::Tracing.from_env(logger: logger, env: env)
      runner = Switchyard::Runner.new(config: config, name: "users-rb", logger: logger) do |client, work_client|
        server(
          client,
          store: UserStore.open(work_client.jetstream), logger: logger,
          revision: config.revision, deployment: config.deployment, tracing: tracing,
          ping_shows_instance: ping_shows_instance
        )
      end
      runner.run
    rescue Switchyard::ConfigError => error
      logger.error(error.message)
      2
    end

    # deployment: nil for the default, users-rb. ping_shows_instance: see Settings.
    def server(client, store:, logger:, revision: nil, deployment: nil, tracing: Switchyard::NoTracing.new,
      ping_shows_instance: true)
      Switchyard::Server.new(
        client,
        contract: Switchyard::Contract.lookup(CONTRACT),
        name: NAME,
        version: VERSION,
        description: CONTRACT,
        implementation: UserService.new(store: store, ping_shows_instance: ping_shows_instance),
        logger: logger,
        revision: revision,
        deployment: deployment,
        tracing: tracing
      )
    end
  end
end
