# frozen_string_literal: true

require_relative "test_helper"
require "delegate"

# UpdateUser and DeleteUser when another instance changes the user between their read and write.
class ConcurrentChangeTest < Support::UsersTest
  # The real bucket, except that `racer` (when set) runs right before the service writes or
  # deletes a user's key: where another instance's change makes the revision read stale.
  class RacyBucket < SimpleDelegator
    attr_accessor :racer

    def update(key, *args, **options)
      racer&.call if key.start_with?(Users::Keys::USER_PREFIX)
      super
    end

    def delete(key, *args, **options)
      racer&.call if key.start_with?(Users::Keys::USER_PREFIX)
      super
    end
  end

  def self.wrap_bucket(bucket)
    RacyBucket.new(bucket)
  end

  def setup
    self.class.bucket.racer = nil
  end

  # Runs the block before the service's next write of a user, and not after.
  def race_once(&change)
    self.class.bucket.racer = lambda do
      self.class.bucket.racer = nil
      change.call
    end
  end

  def existing(email: "ada.#{SecureRandom.hex(6)}@example.com")
    user = Users::V1::User.new(first_name: "Ada", last_name: "Lovelace", email: email)
    user.id = assert_reply(call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user)), Users::V1::CreateUserResponse).id
    user
  end

  def update(user, *paths)
    request = Users::V1::UpdateUserRequest.new(user: user, update_mask: Google::Protobuf::FieldMask.new(paths: paths))
    call_rpc("UpdateUser", request)
  end

  def delete(id)
    call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: id))
  end

  def put(user)
    kv.put(Users::Keys.user(user.id), Users::V1::User.encode(user))
  end

  def stored(id)
    Users::V1::User.decode(kv.get(Users::Keys.user(id)).value)
  end

  def claim_owner(email)
    kv.get(Users::Keys.email(email)).value
  rescue NATS::KeyValue::KeyNotFoundError
    nil
  end

  def assert_aborted(reply, id)
    assert_service_error reply, reason: "ABORTED", status: 409, message: "user #{id} changed concurrently; retry"
  end

  def test_an_update_of_a_changed_user_is_aborted_and_releases_its_new_claim
    user = existing
    theirs = user.dup.tap { |u| u.last_name = "Byron" }
    race_once { put(theirs) }
    email = "augusta.#{SecureRandom.hex(6)}@example.com"

    assert_aborted update(Users::V1::User.new(id: user.id, first_name: "Augusta", email: email), "first_name", "email"), user.id
    assert_equal theirs, stored(user.id)
    assert_nil claim_owner(email)
    assert_equal user.id, claim_owner(user.email)

    retried = assert_reply(update(Users::V1::User.new(id: user.id, first_name: "Augusta", email: email), "first_name", "email"), Users::V1::UpdateUserResponse).user
    assert_equal ["Augusta", "Byron", email], [retried.first_name, retried.last_name, retried.email]
    assert_equal user.id, claim_owner(email)
    assert_nil claim_owner(user.email)
  end

  def test_an_update_that_claims_nothing_is_aborted_too
    user = existing
    race_once { put(user.dup.tap { |u| u.first_name = "Other" }) }

    assert_aborted update(Users::V1::User.new(id: user.id, last_name: "King", email: user.email.upcase), "last_name", "email"), user.id
    assert_equal "Lovelace", stored(user.id).last_name
    assert_equal user.id, claim_owner(user.email)
  end

  def test_the_store_writes_only_over_the_revision_it_read
    user = existing
    store = Users::UserStore.new(kv, client.jetstream)
    read = store.read(user.id)
    put(user.dup.tap { |u| u.first_name = "Other" })

    assert_equal :changed, store.update(read, user.dup.tap { |u| u.last_name = "King" })
    assert_equal "Other", stored(user.id).first_name
    assert_equal :updated, store.update(store.read(user.id), user.dup.tap { |u| u.last_name = "King" })
    assert_equal ["Ada", "King"], [stored(user.id).first_name, stored(user.id).last_name]
  end

  # Another instance's UpdateUser moves the user's email between DeleteUser's read and delete:
  # the delete reads the user again and frees the email the user has by then.
  def test_a_delete_of_a_changed_user_reads_it_again_and_frees_its_new_email
    user = existing
    email = "augusta.#{SecureRandom.hex(6)}@example.com"
    race_once do
      kv.create(Users::Keys.email(email), user.id)
      put(user.dup.tap { |u| u.email = email })
      kv.delete(Users::Keys.email(user.email))
    end

    assert_reply(delete(user.id), Users::V1::DeleteUserResponse)
    assert_raises(NATS::KeyValue::KeyNotFoundError) { kv.get(Users::Keys.user(user.id)) }
    assert_nil claim_owner(email)
    assert_nil claim_owner(user.email)
  end

  def test_a_delete_of_a_user_deleted_meanwhile_is_not_found
    user = existing
    race_once { kv.delete(Users::Keys.user(user.id)) }

    assert_service_error delete(user.id), reason: "NOT_FOUND", status: 404, message: "user #{user.id} not found"
  end

  def test_a_delete_of_a_user_that_keeps_changing_is_aborted
    user = existing
    self.class.bucket.racer = -> { put(user) }

    assert_aborted delete(user.id), user.id
    assert_equal user, stored(user.id)
    assert_equal user.id, claim_owner(user.email)
  end
end
