# frozen_string_literal: true

require_relative "test_helper"

# ListUsers' page token is base64url without padding of an id, whoever made it.
class PageTokenTest < Minitest::Test
  def test_a_token_is_base64url_of_the_id_without_padding
    assert_equal "YWI", Users::PageToken.encode("ab")
    assert_equal "LV89", Users::PageToken.encode("-_=")
    id = "0b3e4c1a-9d2f-4e8b-a6c7-5f1d2e3a4b5c"
    assert_equal Base64.urlsafe_encode64(id).delete("="), Users::PageToken.encode(id)
  end

  def test_decode_is_the_inverse
    ["a", "ab", "abc", "-_=", SecureRandom.uuid].each do |id|
      assert_equal id, Users::PageToken.decode(Users::PageToken.encode(id))
    end
  end

  # [token, why it is no token of ours]
  INVALID = [
    ["YWI=", "padded"],
    ["YR", "stray bits (\"a\" is YQ)"],
    ["Y", "a length no encoding has"],
    ["YW+", "standard base64, not base64url"],
    ["YW I", "a space"],
    ["YWI\n", "a trailing newline"],
    [Base64.urlsafe_encode64("a b", padding: false), "an id with a space"],
    [Base64.urlsafe_encode64("a.b", padding: false), "an id of two key tokens"],
    [Base64.urlsafe_encode64("a/b", padding: false), "an id with a slash"],
    [Base64.urlsafe_encode64("ü", padding: false), "an id outside the key alphabet"],
    [Base64.urlsafe_encode64("\xff".b, padding: false), "bytes that are not UTF-8"],
    [Base64.urlsafe_encode64("a" * 65, padding: false), "an id longer than 64 characters"],
    ["a" * 4100, "longer than any token of ours"]
  ].freeze

  def test_the_longest_id_has_the_longest_token
    id = "a" * 64
    token = Users::PageToken.encode(id)
    assert_equal Users::PageToken::MAX_LENGTH, token.length
    assert_equal 86, token.length
    assert_equal id, Users::PageToken.decode(token)
  end

  def test_anything_else_is_invalid
    INVALID.each do |token, why|
      assert_nil Users::PageToken.decode(token), "#{token.inspect}: #{why}"
    end
  end
end
