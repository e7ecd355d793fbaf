# frozen_string_literal: true

require_relative "test_helper"

class MalformedRequestTest < Support::UsersTest
  # A length-delimited field whose length runs past the end, then bytes that are no valid tag.
  GARBAGE = ["\x0a\x05ab".b, "\xff\xff\xff\xff".b].freeze

  def test_bytes_that_do_not_decode_are_invalid_argument
    %w[CreateUser GetUser ListUsers UpdateUser DeleteUser StreamUsers].each do |rpc|
      type = "users.v1.#{rpc}Request"
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
    assert_service_error call_rpc("UpdateUser", ""),
      reason: "INVALID_ARGUMENT", status: 400, message: "user is required", field: "user"
    assert_service_error call_rpc("DeleteUser", ""),
      reason: "INVALID_ARGUMENT", status: 400, message: "id is required", field: "id"
    assert_reply(call_rpc("ListUsers", ""), Users::V1::ListUsersResponse) # the first page, of 50
  end

  def test_a_field_mask_that_does_not_decode_is_invalid_argument
    bytes = "
a".b # UpdateUserRequest.update_mask = a FieldMask whose path runs past its end

    assert_service_error call_rpc("UpdateUser", bytes),
      reason: "INVALID_ARGUMENT", status: 400, message: "request is not a valid users.v1.UpdateUserRequest"
  end
end
