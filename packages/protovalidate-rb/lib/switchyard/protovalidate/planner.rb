# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # Builds the checks (Evaluators) of a message type from the buf.validate options of its
    # descriptor, as @bufbuild/protovalidate's planner.ts does, for the rules this library implements
    # (README.md). Any other rule raises CompilationError, naming it: none is skipped silently.
    class Planner
      # FieldRules fields besides the type rules.
      FIELD_RULES = %w[cel cel_expression required ignore].freeze
      MESSAGE_RULES = %w[cel cel_expression].freeze

      def initialize
        @plans = {}
      end

      # The MessagePlan of a message descriptor. A recursive type gets its plan while it is built.
      def plan(descriptor)
        existing = @plans[descriptor.name]
        return existing if existing

        plan = Evaluators::MessagePlan.new
        @plans[descriptor.name] = plan
        begin
          descriptor.each { |field| plan.fields << field_plan(descriptor, field) }
          plan.fields.compact!
          plan.rules.concat(message_cel(descriptor))
          refuse_oneof_rules(descriptor)
        rescue
          # Plans finished meanwhile may hold this unfinished one (recursive types): forget them all.
          @plans.clear
          raise
        end
        plan
      end

      private

      def label(descriptor, field) = "#{descriptor.name}.#{field.name}"

      def field_plan(descriptor, field)
        where = label(descriptor, field)
        rules = RuleOptions.field_rules(field)
        refuse_unknown!(rules, where) if rules
        ignore = rules&.ignore || :IGNORE_UNSPECIFIED
        required = rules&.required && ignore != :IGNORE_ALWAYS
        value = value_plan(field, rules, cel_rules(rules, where), where)
        return nil if value.nil? && !required

        Evaluators::Field.new(field, required: required, condition: condition(field, ignore), value: value)
      end

      # planner.ts + condition.ts: when the value of a field is checked.
      def condition(field, ignore)
        return :never if ignore == :IGNORE_ALWAYS
        return :if_set if field.type == :message && field.label != :repeated
        return :if_set if field.has_presence?

        (ignore == :IGNORE_IF_ZERO_VALUE) ? :if_set : :always
      end

      # cels: the field's [[CelRule, rule path]].
      def value_plan(field, rules, cels, where)
        if map?(field)
          refuse_type_rules!(rules, where)
          refuse!("CEL rules on a map field (#{where})") if cels.any?
          value_field = field.subtype.lookup("value")
          return nil unless value_field.type == :message

          Evaluators::MapValues.new(Evaluators::Message.new(nil, plan(value_field.subtype)))
        elsif field.label == :repeated
          refuse_type_rules!(rules, where)
          refuse!("CEL rules on a repeated field (#{where})") if cels.any?
          return nil unless field.type == :message

          Evaluators::ListItems.new(Evaluators::Message.new(nil, plan(field.subtype)))
        elsif field.type == :message
          refuse_type_rules!(rules, where)
          cel = cels.empty? ? nil : Evaluators::FieldCel.new(cels, ->(v) { v })
          Evaluators::Message.new(cel, plan(field.subtype))
        else
          scalar_plan(field, rules, cels, where)
        end
      end

      def scalar_plan(field, rules, cels, where)
        return nil if rules.nil?

        kind = rules.type&.to_s
        standard = nil
        if kind
          refuse!("(buf.validate.field).#{kind} rules on #{where}, a #{field.type} field") unless kind == field.type.to_s
          standard = StandardRules.for(kind, rules.public_send(kind), where)
        end
        cel = nil
        if cels.any?
          to_cel = FieldValues.to_cel(field) or refuse!("CEL rules on #{where}, a #{field.type} field")
          cel = Evaluators::FieldCel.new(cels, to_cel)
        end
        return nil if cel.nil? && standard.nil?

        Evaluators::Scalar.new(cel, standard)
      end

      # [[CelRule, rule path]]: FieldRules.cel, then cel_expression.
      def cel_rules(rules, where)
        return [] if rules.nil?

        compile_cel(rules.cel, rules.cel_expression, where, "cel[%d]", "cel_expression[%d]")
      end

      def message_cel(descriptor)
        rules = RuleOptions.message_rules(descriptor)
        return [] if rules.nil?

        (StandardRules.set_fields(rules) - MESSAGE_RULES).each do |name|
          refuse!("(buf.validate.message).#{name} on #{descriptor.name}")
        end
        compile_cel(rules.cel, rules.cel_expression, descriptor.name, "", "").map(&:first)
      end

      def compile_cel(rules, expressions, where, path, expression_path)
        compiled = rules.each_with_index.map do |rule, index|
          [CelRule.new(id: rule.id, message: rule.message, expression: rule.expression), format(path, index)]
        end
        compiled + expressions.each_with_index.map do |expression, index|
          [CelRule.new(id: expression, message: "", expression: expression), format(expression_path, index)]
        end
      rescue CompilationError => e
        raise CompilationError, "#{where}: #{e.message}"
      end

      def refuse_oneof_rules(descriptor)
        descriptor.each_oneof do |oneof|
          rules = RuleOptions.oneof_rules(oneof)
          next if rules.nil? || StandardRules.set_fields(rules).empty?

          refuse!("(buf.validate.oneof).#{StandardRules.set_fields(rules).first} on #{descriptor.name}.#{oneof.name}")
        end
      end

      def refuse_unknown!(rules, where)
        (StandardRules.set_fields(rules) - FIELD_RULES - [rules.type&.to_s]).each do |name|
          refuse!("(buf.validate.field).#{name} on #{where}")
        end
      end

      def refuse_type_rules!(rules, where)
        kind = rules&.type
        refuse!("(buf.validate.field).#{kind} on #{where}") if kind
      end

      def refuse!(what)
        raise CompilationError, "unsupported rule: #{what}"
      end

      def map?(field)
        field.label == :repeated && field.type == :message && field.subtype.options&.map_entry
      end
    end
  end
end
