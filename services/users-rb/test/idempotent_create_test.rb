# frozen_string_literal: true

require_relative "test_helper"
require "delegate"

# CreateUser with Switchyard-Idempotency-Key: one user per key, however often and however
# concurrently its attempts come.
class IdempotentCreateTest < Support::UsersTest
  UUID_V4 = /\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/

  # The real bucket, except that `before_write` (when set) runs right before the service writes a
  # user's key with an expected revision, and `after_delete` right after it deletes an email claim:
  # where another attempt of the same create may act.
  class RacyBucket < SimpleDelegator
    attr_accessor :before_write, :after_delete

    def update(key, *args, **options)
      before_write&.call if key.start_with?(Users::Keys::USER_PREFIX)
      super
    end

    def delete(key, *args, **options)
      super.tap { after_delete&.call if key.start_with?("email.") }
    end
  end

  def self.wrap_bucket(bucket)
    RacyBucket.new(bucket)
  end

  def setup
    self.class.bucket.before_write = nil
    self.class.bucket.after_delete = nil
  end

  def token
    SecureRandom.hex(32)
  end

  def create_with(user, key, timeout_ms: nil)
    header = {"Switchyard-Idempotency-Key" => key}
    header["Switchyard-Timeout-Ms"] = timeout_ms.to_s if timeout_ms
    call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user), header: header)
  end

  def created_id(reply)
    response = assert_reply(reply, Users::V1::CreateUserResponse)
    assert response.success
    response.id
  end

  def stored(id)
    Users::V1::User.decode(kv.get(Users::Keys.user(id)).value)
  rescue NATS::KeyValue::KeyNotFoundError
    nil
  end

  def claim(email)
    kv.get(Users::Keys.email(email)).value
  rescue NATS::KeyValue::KeyNotFoundError
    nil
  end

  def test_the_id_is_a_uuid_v8_from_sha256_of_the_key
    assert_equal "a8ae6e6e-e929-8bea-bafc-fc5258c8ccd6", Users::NewUserId.for("0123456789abcdef" * 4)
    assert_match UUID_V4, Users::NewUserId.for(nil)
  end

  def test_a_retry_answers_the_same_id_and_stores_one_user
    key = token
    user = new_user
    id = created_id(create_with(user, key))

    assert_equal Users::NewUserId.for(key), id
    assert_equal id, created_id(create_with(user, key))
    assert_equal [id, user.email], [stored(id).id, stored(id).email]
    assert_equal id, claim(user.email)
  end

  def test_concurrent_attempts_store_one_user_and_all_succeed
    key = token
    user = new_user
    ids = Array.new(5) { Thread.new { created_id(create_with(user, key)) } }.map(&:value)

    assert_equal [Users::NewUserId.for(key)], ids.uniq
    assert_equal ids.first, claim(user.email)
  end

  def test_another_key_makes_another_user
    user = new_user(email: "")
    first = created_id(create_with(user, token))
    second = created_id(create_with(user, token))

    refute_equal first, second
    refute_nil stored(second)
  end

  def test_a_malformed_key_is_no_key
    user = new_user(email: "")
    [token.upcase, token[1..], "#{token}0", "#{token[1..]}g", ""].each do |malformed|
      ids = Array.new(2) { created_id(create_with(user, malformed)) }
      ids.each { |id| assert_match UUID_V4, id, malformed.inspect }
      refute_equal ids.first, ids.last
    end
  end

  def test_a_user_deleted_since_is_not_made_again
    key = token
    user = new_user
    id = created_id(create_with(user, key))
    assert_reply(call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: id)), Users::V1::DeleteUserResponse)

    assert_equal id, created_id(create_with(user, key))
    assert_nil stored(id)
    assert_nil claim(user.email), "the email stays free"
  end

  def test_an_email_another_user_holds_is_still_already_exists
    user = new_user
    kv.create(Users::Keys.email(user.email), "someone-else")
    key = token

    assert_service_error create_with(user, key), reason: "ALREADY_EXISTS", status: 409, message: "email is already taken", field: "user.email"
    assert_nil stored(Users::NewUserId.for(key))
  end

  # A guard that lets the email claim through and stops before the user's write, as a deadline does.
  def deadline_before_the_write
    calls = 0
    -> { raise Switchyard::ServiceError.new(:DEADLINE_EXCEEDED, "deadline exceeded") if (calls += 1) == 2 }
  end

  def test_stopped_before_the_write_with_no_other_attempt_the_claim_it_made_is_released
    user = new_user
    user.id = Users::NewUserId.for(token)
    store = Users::UserStore.new(kv, self.class.work_client.jetstream)

    assert_raises(Switchyard::ServiceError) { store.create_once(user, guard: deadline_before_the_write) }
    assert_nil stored(user.id)
    assert_nil claim(user.email)
  end

  def test_finding_the_user_stored_by_another_attempt_it_keeps_the_claim_it_made
    key = token
    user = new_user(first_name: "Racer")
    id = Users::NewUserId.for(key)
    # The other attempt's write lands just before this one's.
    self.class.bucket.before_write = lambda do
      self.class.bucket.before_write = nil
      kv.put(Users::Keys.user(id), Users::V1::User.encode(Users::V1::User.new(**user.to_h, id: id)))
    end

    assert_equal id, created_id(create_with(user, key))
    assert_equal id, claim(user.email), "the stored user keeps its claim"
  end

  def test_undoing_its_claim_while_another_attempt_stores_the_user_it_claims_the_email_again
    user = new_user
    user.id = Users::NewUserId.for(token)
    store = Users::UserStore.new(self.class.bucket, self.class.work_client.jetstream)
    # The other attempt, which found the claim its own, writes the user right after it is freed.
    self.class.bucket.after_delete = lambda do
      self.class.bucket.after_delete = nil
      kv.put(Users::Keys.user(user.id), Users::V1::User.encode(user))
    end

    assert_raises(Switchyard::ServiceError) { store.create_once(user, guard: deadline_before_the_write) }
    assert_equal user, stored(user.id)
    assert_equal user.id, claim(user.email), "the stored user has its claim back"
  end

  def test_writing_the_user_over_a_claim_undone_meanwhile_it_claims_the_email_again
    key = token
    user = new_user
    id = Users::NewUserId.for(key)
    kv.create(Users::Keys.email(user.email), id)
    # The other attempt, which made the claim, undoes it just before this one's write.
    self.class.bucket.before_write = lambda do
      self.class.bucket.before_write = nil
      kv.delete(Users::Keys.email(user.email))
    end

    assert_equal id, created_id(create_with(user, key))
    assert_equal id, claim(user.email)
  end
end
