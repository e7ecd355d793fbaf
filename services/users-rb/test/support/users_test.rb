# frozen_string_literal: true

module Support
  # A suite served by an in-process users service (Users::App.server, as bin/users-rb builds it)
  # on its own nats-server, with a separate client connection for the tests.
  class UsersTest < NatsTest
    include RpcAssertions

    class << self
      attr_reader :client, :server, :log, :work_client

      def start_suite
        @log = StringIO.new
        logger = Switchyard::Log.new(@log, progname: "users-rb")
        @service_client = connect
        @work_client = connect
        @server = Users::App.server(@service_client, store: build_store(@work_client.jetstream), logger: logger).start
        @client = connect
      end

      def stop_suite
        [@client, @service_client, @work_client].compact.each(&:close)
      end

      # The service's store; a suite overrides it to wrap the bucket.
      def build_store(js)
        Users::UserStore.open(js)
      end
    end

    def client
      self.class.client
    end

    def kv
      self.class.work_client.jetstream.key_value(Users::Keys::BUCKET)
    end

    def new_user(first_name: "Ada", last_name: "Lovelace", email: unique_email, id: "")
      Users::V1::User.new(id: id, first_name: first_name, last_name: last_name, email: email)
    end

    def create(user)
      call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user))
    end

    def unique_email
      "ada.#{SecureRandom.hex(6)}@example.com"
    end
  end
end
