# frozen_string_literal: true

require_relative "test_helper"

# The text rules of services/README.md ("Text"): blank is Unicode White_Space only, lengths count
# code points, emails are printable ASCII and compared with A-Z as a-z, quoted control characters
# become spaces. The contract states the first three; the SDK checks them as the gateway does
# (Switchyard::RequestRules), and UpdateUser checks a masked field alone against them (UserFields).
class TextRulesTest < Minitest::Test
  WHITE_SPACE = [*0x09..0x0D, 0x20, 0x85, 0xA0, 0x1680, *0x2000..0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000].freeze

  # A CreateUserRequest with `fields` of a valid user replaced, through the contract's rules.
  def validated(**fields)
    user = Users::V1::User.new(first_name: "Ada", last_name: "Lovelace", **fields)
    violation = Switchyard::RequestRules.violation(Users::V1::CreateUserRequest.new(user: user))
    raise violation if violation
  end

  def check_name(value)
    validated(first_name: value).tap { Users::UserFields.check!(Users::V1::User.new(first_name: value), "first_name") }
  end

  def check_email(value)
    validated(email: value).tap { Users::UserFields.check!(Users::V1::User.new(email: value), "email") }
  end

  def assert_refused(message, &block)
    error = assert_raises(Switchyard::ServiceError, &block)
    assert_equal message, error.message
  end

  def test_a_name_of_any_white_space_is_blank
    WHITE_SPACE.each do |code|
      assert_refused("user.first_name is required") { check_name(code.chr(Encoding::UTF_8) * 2) }
    end
  end

  def test_characters_outside_white_space_are_not_blank
    # U+FEFF and U+200B are format characters, U+180E left White_Space in Unicode 6.3.
    ["\uFEFF", "\u200B", "\u180E", "\u0000", "\u0301", "\u{1F600}", "\u0130", "\u00DF"].each do |value|
      assert_nil check_name(value), "#{value.dump} is a name"
    end
  end

  def test_a_name_length_counts_code_points
    assert_nil check_name("\u{1F600}" * 100)
    assert_nil check_name("e\u0301" * 50)
    assert_refused("user.first_name must be at most 100 characters") { check_name("\u{1F600}" * 101) }
    assert_refused("user.first_name must be at most 100 characters") { check_name("e\u0301" * 50 + "e") }
  end

  def test_an_email_is_printable_ascii
    ["a!#$%&'*+/=?^_`{|}~-@example.com", "ada@xn--bcher-kva.de"].each { |email| assert_nil check_email(email) }
    ["\u0130nfo@example.com", "stra\u00DFe@example.com", "ada@b\u00FCcher.de", "\u212Aelvin@example.com",
      "ada\u00A0@example.com", "ada\t@example.com", "ada\u007F@example.com", "\u{1F600}@example.com"].each do |email|
      assert_refused("user.email must be a valid email address") { check_email(email) }
    end
  end

  def test_the_email_key_maps_only_a_to_z
    assert_equal Users::Keys.email("mixed@example.com"), Users::Keys.email("MiXeD@Example.COM")
    assert_equal "email.#{Base64.urlsafe_encode64("\u212A@x.io", padding: false)}", Users::Keys.email("\u212A@x.io")
  end

  def test_quoted_text_has_each_control_character_replaced_by_a_space
    assert_equal "a b  c d e", Users::UserFields.quote("a\u0000b\u0001\u001Fc\u007Fd\u0085e")
    assert_equal "\u00A0\u200B", Users::UserFields.quote("\u00A0\u200B")
  end
end
