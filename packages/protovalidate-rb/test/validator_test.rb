# frozen_string_literal: true

require_relative "test_helper"

# The API a service SDK uses; the rules themselves are checked against @bufbuild/protovalidate in
# golden_test.rb.
class ValidatorTest < Minitest::Test
  Validator = Switchyard::Protovalidate::Validator

  def create_user(**user) = Users::V1::CreateUserRequest.new(user: Users::V1::User.new(**user))

  def test_blank_first_name_is_answered_on_user_first_name
    violation = Validator.new.violation(create_user(first_name: " ", last_name: "Lovelace"))
    assert_equal "user.first_name", violation.field_name
    assert_equal "user.first_name is required", violation.message
    assert_equal "user", violation.field_path
    assert_equal "first_name.required", violation.rule_id
  end

  def test_validate_reports_every_violation_and_fail_fast_the_first
    request = create_user(first_name: " ", last_name: "Lovelace")
    all = Validator.new.validate(request)
    assert_equal [["user", "first_name.required"], ["user.first_name", "not_blank"]], all.map { |v| [v.field_path, v.rule_id] }
    assert_equal [all.first], Validator.new.validate(request, fail_fast: true)
  end

  # cel-ruby extends the messages it reads; the request's own must stay of their class.
  def test_validation_leaves_the_request_as_it_was
    request = create_user(first_name: "Ada", last_name: "Lovelace", email: "ada@example.com")
    Validator.new.validate(request)
    assert_equal "Ada", Users::V1::GetUserResponse.new(user: request.user).user.first_name
  end

  def test_valid_request
    validator = Validator.new
    request = create_user(first_name: "Ada", last_name: "Lovelace", email: "ada@example.com")
    assert_empty validator.validate(request)
    assert_nil validator.violation(request)
    assert validator.valid?(request)
  end

  def test_plan_ahead_and_reuse_across_threads
    validator = Validator.new.plan(Users::V1::CreateUserRequest, Users::V1::UpdateUserRequest.descriptor)
    results = Array.new(8) do |i|
      Thread.new { validator.violation(create_user(first_name: (i.even? ? " " : "Ada"), last_name: "L"))&.field_name }
    end.map(&:value)
    assert_equal ["user.first_name", nil] * 4, results
  end

  def test_violation_to_s_as_the_typescript_library_prints_it
    violation = Validator.new.violation(Validtest::V1::Scalars.new(required_text: "x", code: "abcdefghij", always_checked: "x", at_least_one: 1))
    assert_equal "code: must be at most 8 characters [string.max_len]", violation.to_s
  end

  def test_cel_receiver_size_and_plain_string_patterns
    validator = Validator.new
    base = {required_text: "x", code: "AB", always_checked: "x", at_least_one: 1}
    assert_nil validator.violation(Validtest::V1::Scalars.new(**base, path: "/a/b"))
    assert_equal "path", validator.violation(Validtest::V1::Scalars.new(**base, path: "/abcdefghijkl")).rule_id
    assert_equal "path", validator.violation(Validtest::V1::Scalars.new(**base, path: "/a\n/b")).rule_id
  end

  def test_recursive_messages_are_planned_once
    outer = Validtest::V1::Outer.new(inner: Validtest::V1::Inner.new(name: "ab", level: 1), mask: Google::Protobuf::FieldMask.new(paths: ["a"]),
      child: Validtest::V1::Outer.new(child: Validtest::V1::Outer.new))
    assert_equal ["child.inner", "child.mask", "child.child.inner", "child.child.mask", "child"], Validator.new.validate(outer).map(&:field_path)
  end
end
