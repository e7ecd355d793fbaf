# frozen_string_literal: true

module Support
  # A ClientTest that serves the echo test contract with one Switchyard::Server for the whole suite,
  # logging to `log`. Subclasses say what serves it (`new_implementation`) and under which name
  # (`server_options`: name:, and version: or deployment: when they matter).
  class EchoServerTest < ClientTest
    class << self
      attr_reader :server, :implementation, :log

      def new_implementation
        raise NotImplementedError, "#{self} must say what serves the echo contract"
      end

      def server_options
        raise NotImplementedError, "#{self} must name its server"
      end

      def start_suite
        @log = StringIO.new
        @implementation = new_implementation
        @service_client = connect
        @server = Switchyard::Server.new(
          @service_client,
          contract: Switchyard::Contract.lookup(EchoApp::CONTRACT),
          version: "1.0.0",
          implementation: @implementation,
          logger: Switchyard::Log.new(@log, progname: "test"),
          **server_options
        ).start
        super
      end

      def stop_suite
        super
        @service_client&.close
      end
    end
  end
end
