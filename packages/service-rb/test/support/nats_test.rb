# frozen_string_literal: true

module Support
  # A test class (suite) that owns a real nats-server with JetStream, started before its first test
  # and stopped after its last. Subclasses start what else they need in start_suite/stop_suite.
  class NatsTest < Minitest::Test
    class << self
      attr_reader :nats

      # More nats-server configuration for this suite (an authorization block, say).
      def server_config
      end

      def run(reporter, options = {})
        return super if runnable_methods.empty?

        begin
          @nats = NatsServer.start(extra: server_config)
          start_suite
          super
        ensure
          stop_suite
          @nats&.stop
        end
      end

      def start_suite
      end

      def stop_suite
      end

      # With RequestWakeupFix, as Switchyard::Runner connects.
      def connect
        Switchyard::RequestWakeupFix.apply(NATS.connect(nats.url, reconnect: false))
      end
    end

    def nats
      self.class.nats
    end
  end
end
