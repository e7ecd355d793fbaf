# frozen_string_literal: true

require_relative "test_helper"

class CreateUserTest < Support::UsersTest
  UUID_V4 = /\A\h{8}-\h{4}-4\h{3}-[89ab]\h{3}-\h{12}\z/

  def test_creates_a_user_with_a_new_v4_id
    sent = new_user(email: "Ada.#{SecureRandom.hex(4)}@Example.COM")
    response = assert_reply(create(sent), Users::V1::CreateUserResponse)

    assert response.success
    assert_match UUID_V4, response.id
    got = assert_reply(call_rpc("GetUser", Users::V1::GetUserRequest.new(id: response.id)), Users::V1::GetUserResponse)
    assert_equal Users::V1::User.new(id: response.id, first_name: "Ada", last_name: "Lovelace", email: sent.email), got.user
  end

  def test_ids_differ_between_users
    ids = Array.new(3) { assert_reply(create(new_user), Users::V1::CreateUserResponse).id }
    assert_equal 3, ids.uniq.size
  end

  def test_the_email_is_optional_and_many_users_may_have_none
    2.times do
      response = assert_reply(create(new_user(email: "")), Users::V1::CreateUserResponse)
      assert response.success
    end
  end

  def test_stores_the_shared_kv_layout
    email = "Grace.#{SecureRandom.hex(4)}@Example.com"
    id = assert_reply(create(new_user(first_name: "Grace", email: email)), Users::V1::CreateUserResponse).id

    stored = Users::V1::User.decode(kv.get("user.#{id}").value)
    assert_equal [id, "Grace", email], [stored.id, stored.first_name, stored.email]
    email_key = "email.#{Base64.urlsafe_encode64(email.downcase).delete("=")}"
    assert_equal id, kv.get(email_key).value
  end

  def test_the_bucket_keeps_one_revision_on_file
    config = self.class.work_client.jetstream.stream_info("KV_users").config
    assert_equal 1, config.max_msgs_per_subject
    assert_equal "file", config.storage
  end

  def test_an_email_taken_in_another_case_is_already_exists
    email = unique_email
    assert_reply(create(new_user(email: email)), Users::V1::CreateUserResponse)

    assert_service_error create(new_user(first_name: "Other", email: email.upcase)),
      reason: "ALREADY_EXISTS", status: 409, message: "email is already taken", field: "user.email"
  end

  def test_a_refused_duplicate_stores_nothing_and_keeps_the_owner
    email = unique_email
    owner = assert_reply(create(new_user(email: email)), Users::V1::CreateUserResponse).id
    create(new_user(email: email))

    assert_equal owner, kv.get(Users::Keys.email(email)).value
  end

  # Each rule of services/README.md: [what is sent, field at fault, description].
  INVALID = {
    "user missing" => [nil, "user", "user is required"],
    "id set" => [{id: "abc"}, "user.id", "user.id is assigned by the service"],
    "first_name empty" => [{first_name: ""}, "user.first_name", "user.first_name is required"],
    "first_name white space" => [{first_name: " \t\u3000\u0085\u00A0"}, "user.first_name", "user.first_name is required"],
    "first_name too long" => [{first_name: "é" * 101}, "user.first_name", "user.first_name must be at most 100 characters"],
    "last_name empty" => [{last_name: ""}, "user.last_name", "user.last_name is required"],
    "last_name white space" => [{last_name: "\n "}, "user.last_name", "user.last_name is required"],
    "last_name too long" => [{last_name: "x" * 101}, "user.last_name", "user.last_name must be at most 100 characters"],
    "email without @" => [{email: "ada.example.com"}, "user.email", "user.email must be a valid email address"],
    "email without dot in the domain" => [{email: "ada@example"}, "user.email", "user.email must be a valid email address"],
    "email with two @" => [{email: "ada@lovelace@example.com"}, "user.email", "user.email must be a valid email address"],
    "email with a space" => [{email: "ada lovelace@example.com"}, "user.email", "user.email must be a valid email address"],
    "email with a no-break space" => [{email: "ada\u00A0@example.com"}, "user.email", "user.email must be a valid email address"],
    "email outside ASCII" => [{email: "stra\u00DFe@example.com"}, "user.email", "user.email must be a valid email address"],
    "email with a trailing newline" => [{email: "ada@example.com\n"}, "user.email", "user.email must be a valid email address"],
    "email too long" => [{email: "#{"a" * 243}@example.com"}, "user.email", "user.email must be a valid email address"]
  }.freeze

  INVALID.each do |name, (change, field, message)|
    define_method("test_invalid_#{name.tr(" @", "__")}") do
      request = Users::V1::CreateUserRequest.new(user: change && new_user(**change))
      assert_service_error call_rpc("CreateUser", request),
        reason: "INVALID_ARGUMENT", status: 400, message: message, field: field
    end
  end

  def test_rules_apply_in_order
    user = new_user(id: "x", first_name: "", last_name: "", email: "bad")
    assert_service_error create(user), reason: "INVALID_ARGUMENT", status: 400,
      message: "user.id is assigned by the service", field: "user.id"

    user.id = ""
    assert_service_error create(user), reason: "INVALID_ARGUMENT", status: 400,
      message: "user.first_name is required", field: "user.first_name"

    user.first_name = "Ada"
    assert_service_error create(user), reason: "INVALID_ARGUMENT", status: 400,
      message: "user.last_name is required", field: "user.last_name"
  end

  def test_limits_are_inclusive_and_count_characters
    user = new_user(first_name: "é" * 100, last_name: "😀" * 100, email: "#{"a" * 242}@example.com")
    assert_equal 254, user.email.length
    assert assert_reply(create(user), Users::V1::CreateUserResponse).success
  end

  def test_an_invalid_request_stores_nothing
    email = unique_email
    create(new_user(first_name: " ", email: email))

    assert_raises(NATS::KeyValue::KeyNotFoundError) { kv.get(Users::Keys.email(email)) }
  end
end
