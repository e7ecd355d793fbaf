# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # One broken rule, as @bufbuild/protovalidate's Violation reports it:
    # - field_path: the field at fault from the validated message, pathToString's format
    #   (`user.first_name`, `items[0].name`); "" for a rule on the message itself.
    # - rule_path: the rule within buf.validate.FieldRules (`string.max_len`, `cel[1]`, `required`);
    #   "" for a message-level CEL rule.
    # - rule_id: `string.max_len`, `int32.gte_lte`, `required`, or a CEL rule's id.
    # - message: the library's words (`must be at most 64 characters`), or a CEL rule's message.
    # - for_key: whether the violation is about a map key rather than its value.
    Violation = Struct.new(:field_path, :rule_path, :rule_id, :message, :for_key, keyword_init: true) do
      # The field as Switchyard answers it (INVALID_ARGUMENT's field; fieldOf in
      # packages/protocol/src/request-rules.ts): the field path, except for a CEL rule whose id names
      # a field below it: on a message field (`first_name.required` on `user` is about
      # `user.first_name`), or on the validated message itself (`user.required` is about `user`).
      def field_name
        on_field = rule_path.match?(/(?:\A|\.)cel\[\d+\]\z/)
        on_message = rule_path.empty? && field_path.empty?
        return field_path unless on_field || on_message

        dot = rule_id.rindex(".")
        return field_path if dot.nil? || dot.zero?

        field_path.empty? ? rule_id[0, dot] : "#{field_path}.#{rule_id[0, dot]}"
      end

      def to_s
        prefix = field_path.empty? ? "" : "#{field_path}: "
        "#{prefix}#{message} [#{rule_id}]"
      end
    end
  end
end
