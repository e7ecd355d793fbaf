# frozen_string_literal: true

module Support
  # A NatsTest whose tests share one client connection, opened before the first and closed after the last.
  class ClientTest < NatsTest
    class << self
      attr_reader :client

      def start_suite
        @client = connect
      end

      def stop_suite
        @client&.close
      end
    end

    def client
      self.class.client
    end
  end
end
