# frozen_string_literal: true

require_relative "test_helper"

class DeleteUserTest < Support::UsersTest
  def delete(id)
    call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: id))
  end

  def get(id)
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id))
  end

  def test_deletes_the_user_and_replies_empty
    sent = new_user
    id = assert_reply(create(sent), Users::V1::CreateUserResponse).id

    reply = delete(id)
    assert_equal "", reply.data
    assert_equal Users::V1::DeleteUserResponse.new, assert_reply(reply, Users::V1::DeleteUserResponse)
    assert_service_error get(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
    assert_raises(NATS::KeyValue::KeyNotFoundError) { kv.get(Users::Keys.user(id)) }
  end

  def test_the_email_is_freed_for_reuse
    email = unique_email
    id = assert_reply(create(new_user(email: email)), Users::V1::CreateUserResponse).id

    assert_reply(delete(id), Users::V1::DeleteUserResponse)
    assert_raises(NATS::KeyValue::KeyNotFoundError) { kv.get(Users::Keys.email(email)) }
    other = assert_reply(create(new_user(email: email.upcase)), Users::V1::CreateUserResponse).id
    assert_equal other, kv.get(Users::Keys.email(email)).value
  end

  def test_a_user_without_email_is_deleted_too
    id = assert_reply(create(new_user(email: "")), Users::V1::CreateUserResponse).id

    assert_reply(delete(id), Users::V1::DeleteUserResponse)
    assert_service_error get(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
  end

  def test_deleting_twice_is_not_found
    id = assert_reply(create(new_user), Users::V1::CreateUserResponse).id
    assert_reply(delete(id), Users::V1::DeleteUserResponse)

    assert_service_error delete(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
  end

  def test_an_empty_id_is_invalid
    assert_service_error delete(""), reason: "INVALID_ARGUMENT", status: 400, message: "id is required", field: "id"
  end

  def test_an_unknown_id_is_not_found
    [SecureRandom.uuid, "no-such-user"].each do |id|
      assert_service_error delete(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
    end
  end

  def test_an_id_that_cannot_be_a_key_token_is_invalid
    ["*", ">", "a b", "a.b", "ü", "a" * 65, "a" * 4100].each do |id|
      assert_service_error delete(id), reason: "INVALID_ARGUMENT", status: 400, field: "id",
        message: "id must be at most 64 characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""
    end
    refute self.class.work_client.closed?
  end

  def test_other_users_stay
    keep = new_user
    kept = assert_reply(create(keep), Users::V1::CreateUserResponse).id
    id = assert_reply(create(new_user), Users::V1::CreateUserResponse).id

    assert_reply(delete(id), Users::V1::DeleteUserResponse)
    assert_equal kept, assert_reply(get(kept), Users::V1::GetUserResponse).user.id
    assert_equal kept, kv.get(Users::Keys.email(keep.email)).value
  end

  def test_an_email_claim_another_user_holds_is_left_alone
    email = unique_email
    id = assert_reply(create(new_user(email: email)), Users::V1::CreateUserResponse).id
    kv.put(Users::Keys.email(email), "someone-else") # a store no implementation left consistent

    assert_reply(delete(id), Users::V1::DeleteUserResponse)
    assert_equal "someone-else", kv.get(Users::Keys.email(email)).value
  end
end
