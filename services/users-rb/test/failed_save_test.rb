# frozen_string_literal: true

require_relative "test_helper"
require "delegate"

# CreateUser when the user's put fails after the email was claimed.
class FailedSaveTest < Support::NatsTest
  include Support::RpcAssertions

  # The real bucket, except that putting a user fails while `failing` is set.
  class FlakyBucket < SimpleDelegator
    attr_accessor :failing

    def put(key, value)
      raise NATS::IO::Timeout, "nats: timeout" if failing && key.start_with?("user.")

      super
    end
  end

  class << self
    attr_reader :client, :bucket, :log

    def start_suite
      @log = StringIO.new
      @service_client = connect
      @work_client = connect
      @bucket = FlakyBucket.new(Users::UserStore.bucket(@work_client.jetstream))
      Users::App.server(@service_client, store: Users::UserStore.new(@bucket, @work_client.jetstream), logger: Switchyard::Log.new(@log, progname: "test")).start
      @client = connect
    end

    def stop_suite
      [@client, @service_client, @work_client].compact.each(&:close)
    end
  end

  def client
    self.class.client
  end

  def create(email)
    user = Users::V1::User.new(first_name: "Ada", last_name: "Lovelace", email: email)
    call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user))
  end

  def test_the_email_claim_is_released_and_can_be_claimed_again
    email = "ada.#{SecureRandom.hex(4)}@example.com"
    self.class.bucket.failing = true
    assert_service_error create(email), reason: "INTERNAL", status: 500, message: "internal error"
    assert_raises(NATS::KeyValue::KeyNotFoundError) { self.class.bucket.get(Users::Keys.email(email)) }
    assert_match(/CreateUser: NATS::IO::Timeout/, self.class.log.string)

    self.class.bucket.failing = false
    id = assert_reply(create(email.upcase), Users::V1::CreateUserResponse).id
    assert_equal id, self.class.bucket.get(Users::Keys.email(email)).value
  end
end
