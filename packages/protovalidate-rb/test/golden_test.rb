# frozen_string_literal: true

require_relative "test_helper"

# Each case of test/golden/golden.json: the violations @bufbuild/protovalidate reports on an input
# (make-golden.mjs), expected word for word from the Ruby validator on the same input; and the
# answer every TypeScript process gives (@switchyard/protocol's ruleViolation: field and message
# of the first violation), expected from Validator#violation.
class GoldenTest < Minitest::Test
  GOLDEN = JSON.parse(File.read(File.expand_path("golden/golden.json", __dir__)))
  VALIDATOR = Switchyard::Protovalidate::Validator.new

  def self.message_of(type, input)
    klass = Google::Protobuf::DescriptorPool.generated_pool.lookup(type)&.msgclass
    raise "no generated class for #{type}: run test/generate.sh" if klass.nil?

    klass.decode_json(JSON.generate(input))
  end

  GOLDEN.fetch("cases").each_with_index do |c, index|
    define_method("test_golden_#{index}_#{c["name"].gsub(/\W+/, "_")}") do
      message = self.class.message_of(c["type"], c["input"])
      # The TypeScript library answers an error (a rule that does not compile or evaluate): so does this one.
      if c.key?("error")
        assert_raises(Switchyard::Protovalidate::Error) { VALIDATOR.validate(message) }
        return
      end

      actual = VALIDATOR.validate(message).map do |v|
        {"field_path" => v.field_path, "rule_path" => v.rule_path, "rule_id" => v.rule_id,
         "message" => v.message, "for_key" => v.for_key}
      end
      assert_equal c["violations"], actual, "violations of #{c["name"]}"

      first = VALIDATOR.violation(message)
      expected = c["answer"] && {"field" => c["answer"]["field"], "message" => c["answer"]["message"]}
      actual_answer = first && {"field" => first.field_name, "message" => first.message}
      if expected.nil?
        assert_nil actual_answer, "answer to #{c["name"]}"
      else
        assert_equal expected, actual_answer, "answer to #{c["name"]}"
      end
    end
  end

  def test_the_golden_file_covers_every_kind_of_case
    assert_operator GOLDEN.fetch("cases").size, :>=, 70
    rule_ids = GOLDEN["cases"].flat_map { |c| c.fetch("violations", []).map { |v| v["rule_id"] } }.uniq
    %w[required string.max_len string.pattern int32.gte int32.lte int32.gte_lte].each do |id|
      assert_includes rule_ids, id
    end
  end
end
