# frozen_string_literal: true

module Support
  # A suite served by an in-process users service (Users::App.server, as bin/users-rb builds it)
  # on its own nats-server, with a separate client connection for the tests.
  class UsersTest < NatsTest
    include RpcAssertions

    class << self
      # `bucket` is the key-value bucket the service writes through (see wrap_bucket).
      attr_reader :client, :server, :log, :work_client, :bucket, :kv

      def start_suite
        @log = StringIO.new
        logger = Switchyard::Log.new(@log, progname: "users-rb")
        @service_client = connect
        @work_client = connect
        js = @work_client.jetstream
        @kv = Users::UserStore.bucket(js)
        @bucket = wrap_bucket(@kv)
        @server = Users::App.server(@service_client, store: Users::UserStore.new(@bucket, js), logger: logger).start
        @client = connect
      end

      def stop_suite
        [@client, @service_client, @work_client].compact.each(&:close)
      end

      # The bucket as the service sees it; a suite overrides this to wrap the real one.
      def wrap_bucket(bucket)
        bucket
      end
    end

    def client
      self.class.client
    end

    # The bucket itself, unwrapped, opened once for the suite.
    def kv
      self.class.kv
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
