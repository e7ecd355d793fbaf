# frozen_string_literal: true

require_relative "test_helper"

class MalformedRequestTest < Support::UsersTest
  # A length-delimited field whose length runs past the end, then bytes that are no valid tag.
  GARBAGE = ["\x0a\x05ab".b, "\xff\xff\xff\xff".b].freeze

  def test_bytes_that_do_not_decode_are_invalid_argument
    {"CreateUser" => "users.v1.CreateUserRequest", "GetUser" => "users.v1.GetUserRequest"}.each do |rpc, type|
      GARBAGE.each do |bytes|
        assert_service_error call_rpc(rpc, bytes),
          reason: "INVALID_ARGUMENT", status: 400, message: "request is not a valid #{type}"
      end
    end
  end

  def test_a_string_field_that_is_not_utf8_is_invalid_argument
    bytes = "\x0a\x02\xc3\x28".b # GetUserRequest.id = two bytes that are not UTF-8

    assert_service_error call_rpc("GetUser", bytes),
      reason: "INVALID_ARGUMENT", status: 400, message: "request is not a valid users.v1.GetUserRequest"
  end

  def test_the_instance_keeps_serving_afterwards
    GARBAGE.each { |bytes| client.publish("users.v1.UserService.CreateUser", bytes) } # no reply subject
    call_rpc("CreateUser", GARBAGE.first)

    response = assert_reply(create(new_user), Users::V1::CreateUserResponse)
    assert response.success
  end

  def test_an_empty_body_is_a_request_with_every_field_unset
    assert_service_error call_rpc("CreateUser", ""),
      reason: "INVALID_ARGUMENT", status: 400, message: "user is required", field: "user"
  end
end
