# frozen_string_literal: true

require_relative "test_helper"
require "delegate"

# CreateUser when the user's put fails after the email was claimed.
class FailedSaveTest < Support::UsersTest
  # The real bucket, except that putting a user fails while `failing` is set.
  class FlakyBucket < SimpleDelegator
    attr_accessor :failing

    def put(key, value)
      raise NATS::IO::Timeout, "nats: timeout" if failing && key.start_with?("user.")

      super
    end
  end

  def self.wrap_bucket(bucket)
    FlakyBucket.new(bucket)
  end

  def test_the_email_claim_is_released_and_can_be_claimed_again
    email = "ada.#{SecureRandom.hex(4)}@example.com"
    self.class.bucket.failing = true
    assert_service_error create(new_user(email: email)), reason: "UNAVAILABLE", status: 503, message: "a backing system is unavailable; retry shortly"
    assert_raises(NATS::KeyValue::KeyNotFoundError) { self.class.bucket.get(Users::Keys.email(email)) }
    assert_equal "NATS::IO::Timeout", log_entry(self.class.log.string, /CreateUser: NATS::IO::Timeout/).dig("err", "type")

    self.class.bucket.failing = false
    id = assert_reply(create(new_user(email: email.upcase)), Users::V1::CreateUserResponse).id
    assert_equal id, self.class.bucket.get(Users::Keys.email(email)).value
  end
end
