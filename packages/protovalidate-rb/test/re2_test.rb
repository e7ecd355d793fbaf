# frozen_string_literal: true

require_relative "test_helper"

# RE2 patterns as Ruby regexps (lib/switchyard/protovalidate/re2.rb), the one place the dialects meet.
class RE2Test < Minitest::Test
  RE2 = Switchyard::Protovalidate::RE2

  def matches?(pattern, string) = RE2.compile(pattern).match?(string)

  def test_hex_escapes_name_code_points
    assert_equal "[\\u{85}\\u{A0}\\u{2000}-\\u{200A}]", RE2.translate("[\\x{85}\\xA0\\x{2000}-\\x{200A}]")
    assert matches?("\\x{85}", "\u0085")
    assert matches?("^[\\x21-\\x7E]+$", "a~!")
    refute matches?("^[\\x21-\\x7E]+$", "é")
  end

  def test_the_users_contract_not_blank_class
    not_blank = "[^\\t-\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]"
    refute matches?(not_blank, " \t\n\v\f\r\u0085\u00a0\u1680\u2000\u200a\u2028\u2029\u202f\u205f\u3000")
    assert matches?(not_blank, "\u3000a")
    assert matches?(not_blank, "\u180e")
  end

  def test_anchors_are_text_anchors
    assert_equal "\\A[a-z]+\\z", RE2.translate("^[a-z]+$")
    refute matches?("^[a-z]+$", "abc\ndef")
    refute matches?("^[a-z]+$", "abc\n")
    assert matches?("[$^]", "$")
  end

  def test_space_class_is_ascii_without_vertical_tab
    assert matches?("^\\s$", "\f")
    refute matches?("^\\s$", "\v")
    refute matches?("^[\\s]$", "\v")
    assert matches?("^\\S$", "\v")
  end

  def test_class_literals_that_ruby_reads_as_syntax
    assert matches?("^[a&&b]+$", "&")
    assert matches?("^[[a]+$", "[")
  end

  def test_groups_and_flags
    assert_equal "(?<name>a)", RE2.translate("(?P<name>a)")
    assert_equal "(?<name>a)", RE2.translate("(?<name>a)")
    assert matches?("(?i)abc", "ABC")
    assert matches?("(?s)a.b", "a\nb")
    refute matches?("a.b", "a\nb")
    assert matches?("^\\p{Greek}+$", "αβ")
    assert matches?("^\\pL+$", "αβ")
  end

  def test_refuses_what_has_no_exact_counterpart
    ["(?m)^a", "(?U)a+", "\\bword", "\\Qa.b\\E", "[[:alpha:]]", "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "a*+", "(\\w)\\1", "[\\S]", "\\x{110000}", "[a"].each do |pattern|
      assert_raises(Switchyard::Protovalidate::CompilationError, pattern) { RE2.translate(pattern) }
    end
  end

  def test_a_pattern_ruby_cannot_compile_is_a_compilation_error
    assert_raises(Switchyard::Protovalidate::CompilationError) { RE2.compile("a{2,1}") }
  end
end
