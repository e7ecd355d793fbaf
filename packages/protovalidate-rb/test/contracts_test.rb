# frozen_string_literal: true

require_relative "test_helper"

# The users contract as the services load it (packages/contracts-rb): the field and message a
# request that breaks its rules gets.
class ContractsTest < Minitest::Test
  def setup
    @validator = Switchyard::Protovalidate::Validator.new
  end

  def test_a_blank_first_name_on_create
    v = @validator.violation(Users::V1::CreateUserRequest.new(user: Users::V1::User.new(first_name: " ", last_name: "L")))
    assert_equal ["user.first_name", "user.first_name is required"], [v.field_name, v.message]
  end

  def test_an_update_without_an_id
    v = @validator.violation(Users::V1::UpdateUserRequest.new(user: Users::V1::User.new(first_name: "Ada")))
    assert_equal ["user.id", "user.id is required"], [v.field_name, v.message]
  end
end
