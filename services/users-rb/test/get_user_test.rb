# frozen_string_literal: true

require_relative "test_helper"

class GetUserTest < Support::UsersTest
  def get(id)
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id))
  end

  def test_returns_the_user
    sent = new_user(first_name: "Alan", last_name: "Turing")
    id = assert_reply(create(sent), Users::V1::CreateUserResponse).id

    user = assert_reply(get(id), Users::V1::GetUserResponse).user
    assert_equal [id, "Alan", "Turing", sent.email], [user.id, user.first_name, user.last_name, user.email]
  end

  def test_an_empty_id_is_invalid
    assert_service_error get(""), reason: "INVALID_ARGUMENT", status: 400, message: "id is required", field: "id"
  end

  def test_an_unknown_id_is_not_found
    id = SecureRandom.uuid
    assert_service_error get(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
  end

  def test_an_id_that_is_not_a_key_token_is_invalid
    ["*", ">", "a b", "a..b", ".", "ü", "x\r\nSwitchyard-Error-Field: user"].each do |id|
      assert_service_error get(id), reason: "INVALID_ARGUMENT", status: 400, field: "id",
        message: "id must be at most 64 characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""
    end
  end

  def test_an_id_of_64_characters_is_an_id_and_one_of_65_is_not
    assert_service_error get("a" * 64), reason: "NOT_FOUND", status: 404, message: "user #{"a" * 64} not found"
    assert_service_error get("a" * 65), reason: "INVALID_ARGUMENT", status: 400, field: "id",
      message: "id must be at most 64 characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""
  end

  # Its KV subject would be longer than nats-server's control line: the server would drop the
  # instance's connection.
  def test_an_id_of_4100_characters_is_invalid_and_the_instance_keeps_its_connection
    assert_service_error get("a" * 4100), reason: "INVALID_ARGUMENT", status: 400, field: "id",
      message: "id must be at most 64 characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""
    id = assert_reply(create(new_user), Users::V1::CreateUserResponse).id
    assert_equal id, assert_reply(get(id), Users::V1::GetUserResponse).user.id
    refute self.class.work_client.closed?
  end
end
