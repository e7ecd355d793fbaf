# frozen_string_literal: true

module Support
  # The test contract's service wired as an application on the SDK wires itself (README.md):
  # settings from the environment, JSON logs, tracing, Runner and Server. test/bin/echo-rb runs it.
  module EchoApp
    NAME = "echo"
    VERSION = "0.1.0"
    CONTRACT = "echo.v1.EchoService"

    # Ping, Echo and Get; every other RPC of the contract answers UNIMPLEMENTED.
    class Handlers
      def ping(_request, call)
        Echo::V1::PingResponse.new(message: "pong", instance: call.instance_id)
      end

      # The text "crash" raises, for the tests of an unexpected error (INTERNAL).
      def echo(request, _call)
        raise "crash requested" if request.text == "crash"

        Echo::V1::EchoResponse.new(text: request.text)
      end

      # Nothing is stored.
      def get(request, _call)
        raise Switchyard::ServiceError.new(:NOT_FOUND, "item #{request.id} not found", field: "id")
      end
    end

    module_function

    def run(env: ENV, out: $stdout)
      logger = Switchyard::Log.new(out, progname: "echo-rb")
      config = Switchyard::Config.from_env(env)
      tracing = Switchyard::Tracing.from_env(logger: logger, env: env)
      runner = Switchyard::Runner.new(config: config, name: "echo-rb", logger: logger) do |client, _work_client|
        Switchyard::Server.new(
          client,
          contract: Switchyard::Contract.lookup(CONTRACT), name: NAME, version: VERSION, description: CONTRACT,
          implementation: Handlers.new, logger: logger,
          revision: config.revision, deployment: config.deployment, tracing: tracing
        )
      end
      runner.run
    rescue Switchyard::ConfigError => error
      logger.error(error.message)
      2
    end
  end
end
