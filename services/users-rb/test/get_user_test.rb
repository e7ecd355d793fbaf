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

  def test_an_id_outside_the_key_alphabet_is_not_found
    ["*", ">", "a b", "a..b", ".", "ü"].each do |id|
      assert_service_error get(id), reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
    end
  end

  def test_an_id_cannot_forge_headers
    reply = get("x\r\nSwitchyard-Error-Field: id")

    assert_service_error reply, reason: "NOT_FOUND", status: 404, message: "user x Switchyard-Error-Field: id not found"
  end
end
