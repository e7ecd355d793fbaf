# frozen_string_literal: true

require_relative "test_helper"

# A rule this library does not implement is refused when the message is planned, naming the rule;
# never skipped. The messages are in test/proto/validtest/v1/unsupported.proto.
class CompilationTest < Minitest::Test
  CompilationError = Switchyard::Protovalidate::CompilationError

  def refused(klass)
    error = assert_raises(CompilationError) { Switchyard::Protovalidate::Validator.new.plan(klass) }
    error.message
  end

  def test_an_unsupported_standard_rule_is_named
    assert_match "(buf.validate.field).string.email on validtest.v1.UnsupportedStringRule.email", refused(Validtest::V1::UnsupportedStringRule)
    assert_match "(buf.validate.field).int32.const", refused(Validtest::V1::UnsupportedIntRule)
    assert_match "(buf.validate.field).repeated on validtest.v1.UnsupportedRepeatedRule.tags", refused(Validtest::V1::UnsupportedRepeatedRule)
  end

  def test_unsupported_message_and_oneof_rules_are_named
    assert_match "(buf.validate.message).oneof on validtest.v1.UnsupportedMessageOneofRule", refused(Validtest::V1::UnsupportedMessageOneofRule)
    assert_match "(buf.validate.oneof).required on validtest.v1.UnsupportedOneofRequired.choice", refused(Validtest::V1::UnsupportedOneofRequired)
  end

  def test_cel_rules_where_this_is_not_supported
    assert_match "CEL rules on a repeated field (validtest.v1.UnsupportedCelOnRepeated.tags)", refused(Validtest::V1::UnsupportedCelOnRepeated)
    assert_match "CEL rules on validtest.v1.CelOnBytes.data, a bytes field", refused(Validtest::V1::CelOnBytes)
  end

  def test_regular_expressions_without_an_exact_ruby_counterpart
    assert_match(/string\.pattern on validtest\.v1\.UnsupportedPattern\.name: .*"\(\?=" .* is not supported/, refused(Validtest::V1::UnsupportedPattern))
    assert_match(/CEL rule "word": .*\\b is not supported/, refused(Validtest::V1::UnsupportedCelPattern))
    assert_match(/CEL rule "self": matches\(\) with a pattern that is not a string literal/, refused(Validtest::V1::UnsupportedDynamicPattern))
  end

  def test_a_cel_expression_that_does_not_parse
    assert_match(/validtest\.v1\.UnparsableCel\.name: CEL rule "broken": "this ==" does not parse/, refused(Validtest::V1::UnparsableCel))
  end

  def test_a_message_holding_one_with_an_unsupported_rule_is_refused_too
    assert_match "string.email", refused(Validtest::V1::HoldsUnsupported)
  end

  def test_validate_plans_on_first_use_and_raises_the_same
    validator = Switchyard::Protovalidate::Validator.new
    assert_raises(CompilationError) { validator.validate(Validtest::V1::UnsupportedStringRule.new(email: "a@b.c")) }
    # Not cached as planned: it fails again.
    assert_raises(CompilationError) { validator.validate(Validtest::V1::UnsupportedStringRule.new) }
  end

  def test_a_rule_that_fails_when_evaluated
    error = assert_raises(Switchyard::Protovalidate::EvaluationError) do
      Switchyard::Protovalidate::Validator.new.validate(Validtest::V1::FailingCel.new(name: "ab"))
    end
    assert_match(/CEL rule "number" yields 2, wanted a bool or a string/, error.message)
  end
end
