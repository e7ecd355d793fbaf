# frozen_string_literal: true

require_relative "test_helper"

class UpdateUserTest < Support::UsersTest
  def update(user, *paths, mask: Google::Protobuf::FieldMask.new(paths: paths))
    call_rpc("UpdateUser", Users::V1::UpdateUserRequest.new(user: user, update_mask: mask))
  end

  def updated(user, *paths)
    assert_reply(update(user, *paths), Users::V1::UpdateUserResponse).user
  end

  def get(id)
    assert_reply(call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id)), Users::V1::GetUserResponse).user
  end

  # A user CreateUser stored, with its id.
  def existing(**fields)
    user = new_user(**fields)
    user.id = assert_reply(create(user), Users::V1::CreateUserResponse).id
    user
  end

  def claim_owner(email)
    kv.get(Users::Keys.email(email)).value
  rescue NATS::KeyValue::KeyNotFoundError
    nil
  end

  def assert_invalid(reply, field, message)
    assert_service_error reply, reason: "INVALID_ARGUMENT", status: 400, message: message, field: field
  end

  def test_changes_only_the_masked_fields
    user = existing(first_name: "Ada", last_name: "Lovelace")
    sent = Users::V1::User.new(id: user.id, first_name: "Augusta", last_name: "", email: "not an email")

    got = updated(sent, "first_name")
    assert_equal Users::V1::User.new(id: user.id, first_name: "Augusta", last_name: "Lovelace", email: user.email), got
    assert_equal got, get(user.id)
    assert_equal user.id, claim_owner(user.email)
  end

  def test_changes_every_masked_field_and_replies_the_user_as_stored
    user = existing
    email = unique_email
    sent = Users::V1::User.new(id: user.id, first_name: "Grace", last_name: "Hopper", email: email)

    got = updated(sent, "email", "last_name", "first_name")
    assert_equal sent, got
    assert_equal sent, get(user.id)
    assert_equal sent, Users::V1::User.decode(kv.get(Users::Keys.user(user.id)).value)
  end

  def test_a_new_email_is_claimed_and_the_old_one_freed_for_reuse
    user = existing
    email = unique_email

    updated(Users::V1::User.new(id: user.id, email: email), "email")
    assert_equal user.id, claim_owner(email)
    assert_nil claim_owner(user.email)

    other = assert_reply(create(new_user(email: user.email.upcase)), Users::V1::CreateUserResponse).id
    assert_equal other, claim_owner(user.email)
  end

  def test_a_user_may_take_back_an_email_it_gave_up
    user = existing
    first_email = user.email

    updated(Users::V1::User.new(id: user.id, email: unique_email), "email")
    updated(Users::V1::User.new(id: user.id, email: first_email), "email")
    assert_equal user.id, claim_owner(first_email)
  end

  def test_an_email_changed_only_in_case_keeps_its_claim
    user = existing
    revision = kv.get(Users::Keys.email(user.email)).revision

    got = updated(Users::V1::User.new(id: user.id, email: user.email.upcase), "email")
    assert_equal user.email.upcase, got.email
    entry = kv.get(Users::Keys.email(user.email))
    assert_equal [user.id, revision], [entry.value, entry.revision]
    assert_service_error create(new_user(email: user.email)),
      reason: "ALREADY_EXISTS", status: 409, message: "email is already taken", field: "user.email"
  end

  def test_an_empty_email_clears_it_and_frees_the_claim
    user = existing

    assert_equal "", updated(Users::V1::User.new(id: user.id), "email").email
    assert_equal "", get(user.id).email
    assert_nil claim_owner(user.email)
  end

  def test_a_user_without_email_can_get_one
    user = existing(email: "")
    email = unique_email

    assert_equal email, updated(Users::V1::User.new(id: user.id, email: email), "email").email
    assert_equal user.id, claim_owner(email)
  end

  def test_an_email_another_user_holds_is_already_exists_and_changes_nothing
    owner = existing
    user = existing

    reply = update(Users::V1::User.new(id: user.id, first_name: "Changed", email: owner.email.upcase), "first_name", "email")
    assert_service_error reply, reason: "ALREADY_EXISTS", status: 409, message: "email is already taken", field: "user.email"
    assert_equal user, get(user.id)
    assert_equal owner.id, claim_owner(owner.email)
    assert_equal user.id, claim_owner(user.email)
  end

  def test_a_claim_the_user_already_holds_is_no_conflict
    user = existing
    email = unique_email
    kv.create(Users::Keys.email(email), user.id) # left by an update that failed half-way

    assert_equal email, updated(Users::V1::User.new(id: user.id, email: email), "email").email
    assert_equal user.id, claim_owner(email)
    assert_nil claim_owner(user.email)
  end

  def test_an_unknown_user_is_not_found
    ["0b3e4c1a-9d2f-4e8b-a6c7-5f1d2e3a4b5c", "no-such-user"].each do |id|
      assert_service_error update(Users::V1::User.new(id: id, first_name: "Ada"), "first_name"),
        reason: "NOT_FOUND", status: 404, message: "user #{id} not found"
    end
  end

  def test_an_id_that_cannot_be_a_key_token_is_invalid
    ["a b", "*", "a.b", "a" * 65, "a" * 4100].each do |id|
      assert_service_error update(Users::V1::User.new(id: id, first_name: "Ada"), "first_name"),
        reason: "INVALID_ARGUMENT", status: 400, field: "user.id",
        message: "user.id must be at most 64 characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""
    end
    refute self.class.work_client.closed?
  end

  def test_a_deleted_user_is_not_found
    user = existing
    assert_reply(call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: user.id)), Users::V1::DeleteUserResponse)

    assert_service_error update(Users::V1::User.new(id: user.id, first_name: "Ada"), "first_name"),
      reason: "NOT_FOUND", status: 404, message: "user #{user.id} not found"
  end

  def test_not_found_comes_before_a_taken_email_and_claims_nothing
    owner = existing
    id = SecureRandom.uuid
    assert_service_error update(Users::V1::User.new(id: id, email: owner.email), "email"),
      reason: "NOT_FOUND", status: 404, message: "user #{id} not found"

    email = unique_email
    update(Users::V1::User.new(id: id, email: email), "email")
    assert_nil claim_owner(email)
  end

  def test_the_user_and_its_id_are_required
    assert_invalid update(nil, "first_name"), "user", "user is required"
    assert_invalid update(Users::V1::User.new(first_name: "Ada"), "first_name"), "user.id", "user.id is required"
  end

  def test_the_mask_is_required_with_a_path
    id = existing.id
    assert_invalid update(Users::V1::User.new(id: id), mask: nil), "update_mask", "update_mask is required"
    assert_invalid update(Users::V1::User.new(id: id)), "update_mask", "update_mask is required"
  end

  def test_only_names_and_email_can_be_updated
    id = existing.id
    ["id", "user.first_name", "firstName", "name", "", "first_name.x"].each do |path|
      assert_invalid update(Users::V1::User.new(id: id, first_name: "Ada"), "first_name", path),
        "update_mask", "update_mask path \"#{path}\" cannot be updated"
    end
  end

  def test_a_quoted_path_has_each_control_character_replaced_by_a_space
    assert_invalid update(Users::V1::User.new(id: existing.id, first_name: "Ada"), "first_name", "a\u0000\r\n\u0085b"),
      "update_mask", "update_mask path \"a    b\" cannot be updated"
  end

  # Each CreateUser rule, applied to a masked field: [path, value, description].
  INVALID = {
    "first_name empty" => ["first_name", "", "user.first_name is required"],
    "first_name white space" => ["first_name", " \t\u3000\u0085\u00A0", "user.first_name is required"],
    "first_name too long" => ["first_name", "é" * 101, "user.first_name must be at most 100 characters"],
    "last_name empty" => ["last_name", "", "user.last_name is required"],
    "last_name white space" => ["last_name", "\n ", "user.last_name is required"],
    "last_name too long" => ["last_name", "x" * 101, "user.last_name must be at most 100 characters"],
    "email without @" => ["email", "ada.example.com", "user.email must be a valid email address"],
    "email without dot in the domain" => ["email", "ada@example", "user.email must be a valid email address"],
    "email with two @" => ["email", "ada@lovelace@example.com", "user.email must be a valid email address"],
    "email with a space" => ["email", "ada lovelace@example.com", "user.email must be a valid email address"],
    "email with a trailing newline" => ["email", "ada@example.com\n", "user.email must be a valid email address"],
    "email too long" => ["email", "#{"a" * 243}@example.com", "user.email must be a valid email address"]
  }.freeze

  INVALID.each do |name, (path, value, message)|
    define_method("test_invalid_#{name.tr(" @", "__")}") do
      user = existing
      sent = Users::V1::User.new(id: user.id, first_name: "Ada", last_name: "Lovelace")
      sent[path] = value

      assert_invalid update(sent, path), "user.#{path}", message
      assert_equal user, get(user.id)
    end
  end

  def test_limits_are_inclusive_and_count_characters
    user = existing
    sent = Users::V1::User.new(id: user.id, first_name: "é" * 100, last_name: "😀" * 100, email: "#{"a" * 242}@example.com")

    assert_equal sent, updated(sent, "first_name", "last_name", "email")
  end

  def test_rules_apply_in_order
    # The user before its id, its id before the mask.
    assert_invalid update(nil, mask: nil), "user", "user is required"
    assert_invalid update(Users::V1::User.new(first_name: ""), mask: nil), "user.id", "user.id is required"
    # Every path of the mask before any field's value.
    id = SecureRandom.uuid
    sent = Users::V1::User.new(id: id, first_name: "", last_name: "", email: "bad")
    assert_invalid update(sent, "first_name", "id"), "update_mask", "update_mask path \"id\" cannot be updated"
    # Fields in mask order, not field order.
    assert_invalid update(sent, "email", "last_name", "first_name"), "user.email", "user.email must be a valid email address"
    assert_invalid update(sent, "last_name", "first_name"), "user.last_name", "user.last_name is required"
    # The fields before looking the user up.
    assert_invalid update(sent, "first_name"), "user.first_name", "user.first_name is required"
  end

  def test_a_repeated_path_is_allowed
    user = existing

    assert_equal "Augusta", updated(Users::V1::User.new(id: user.id, first_name: "Augusta"), "first_name", "first_name").first_name
  end
end
