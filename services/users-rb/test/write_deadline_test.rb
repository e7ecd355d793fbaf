# frozen_string_literal: true

require_relative "test_helper"
require "delegate"

# The users service past a request's deadline: it stops before the write that makes a change and
# undoes what it wrote for it (DEADLINE_EXCEEDED, nothing changed), or, once the change is made,
# finishes it and reports it, late or not.
class WriteDeadlineTest < Support::UsersTest
  # The real bucket, except that the operation named in `slow` (:create, :put, :update, :delete)
  # takes `delay` seconds more before it runs.
  class SlowBucket < SimpleDelegator
    attr_accessor :slow, :delay

    %i[create put update delete].each do |name|
      define_method(name) do |*args, **opts|
        sleep delay if slow == name
        super(*args, **opts)
      end
    end
  end

  def self.wrap_bucket(bucket)
    SlowBucket.new(bucket)
  end

  def setup
    self.class.bucket.slow = nil
    self.class.bucket.delay = 0
  end

  def slow(name, delay = 0.3)
    self.class.bucket.slow = name
    self.class.bucket.delay = delay
  end

  def timeout(ms)
    {"Switchyard-Timeout-Ms" => ms.to_s}
  end

  def user_ids
    kv.keys.select { |key| key.start_with?("user.") }.sort
  rescue NATS::KeyValue::NoKeysFoundError
    []
  end

  def value_of(key)
    kv.get(key).value
  rescue NATS::KeyValue::KeyNotFoundError
    nil
  end

  def existing(**fields)
    user = new_user(**fields)
    user.id = assert_reply(create(user), Users::V1::CreateUserResponse).id
    user
  end

  def get(id)
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id))
  end

  def test_create_user_past_its_deadline_on_receipt_creates_nothing
    before = user_ids
    user = new_user
    reply = call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user), header: timeout(0))

    assert_service_error reply, reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded before the request was handled"
    assert_equal before, user_ids
    assert_nil value_of(Users::Keys.email(user.email))
  end

  def test_create_user_whose_deadline_passes_after_the_email_claim_releases_it_and_creates_nothing
    before = user_ids
    user = new_user
    slow(:create) # the email claim
    reply = call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user), header: timeout(100))

    assert_service_error reply, reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded"
    assert_equal before, user_ids
    assert_nil value_of(Users::Keys.email(user.email)), "the claim is released"
    setup
    assert_reply(create(new_user(email: user.email)), Users::V1::CreateUserResponse)
  end

  def test_create_user_whose_deadline_passes_during_the_put_reports_the_user_it_made
    slow(:put)
    user = new_user
    reply = call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user), header: timeout(100))

    id = assert_reply(reply, Users::V1::CreateUserResponse).id
    setup
    assert_equal user.email, assert_reply(get(id), Users::V1::GetUserResponse).user.email
  end

  def test_update_user_whose_deadline_passes_after_the_new_claim_changes_nothing
    user = existing
    email = unique_email
    slow(:create) # the new email's claim
    request = Users::V1::UpdateUserRequest.new(
      user: Users::V1::User.new(id: user.id, email: email), update_mask: Google::Protobuf::FieldMask.new(paths: ["email"])
    )
    reply = call_rpc("UpdateUser", request, header: timeout(100))

    assert_service_error reply, reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded"
    setup
    assert_equal user.email, assert_reply(get(user.id), Users::V1::GetUserResponse).user.email
    assert_nil value_of(Users::Keys.email(email)), "the new claim is released"
    assert_equal user.id, value_of(Users::Keys.email(user.email)), "the old claim stays"
  end

  def test_update_user_whose_deadline_passes_while_it_frees_the_old_claim_reports_the_change
    user = existing
    email = unique_email
    slow(:delete) # freeing the old email, after the user was written
    request = Users::V1::UpdateUserRequest.new(
      user: Users::V1::User.new(id: user.id, email: email), update_mask: Google::Protobuf::FieldMask.new(paths: ["email"])
    )
    reply = call_rpc("UpdateUser", request, header: timeout(100))

    assert_equal email, assert_reply(reply, Users::V1::UpdateUserResponse).user.email
    assert_nil value_of(Users::Keys.email(user.email)), "the old claim is freed"
  end

  def test_delete_user_past_its_deadline_deletes_nothing
    user = existing
    assert_service_error call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: user.id), header: timeout(0)),
      reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded before the request was handled"
    assert_reply(get(user.id), Users::V1::GetUserResponse)
  end

  def test_in_time_everything_works_as_without_a_deadline
    user = new_user
    id = assert_reply(call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user), header: timeout(5000)), Users::V1::CreateUserResponse).id
    assert_equal id, assert_reply(call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id), header: timeout(5000)), Users::V1::GetUserResponse).user.id
    assert_reply(call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: id), header: timeout(5000)), Users::V1::DeleteUserResponse)
  end
end
