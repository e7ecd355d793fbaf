# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # The checks a Planner builds for one message type, run on a message. Each takes the value, its
    # path from the validated message and the Collector of violations; they run in the order of
    # @bufbuild/protovalidate (its eval.ts and planner.ts): the fields in declaration order (for each,
    # `required`, then the field's CEL rules, then its type's standard rules, or the rules of the
    # message it holds), then the message's own CEL rules.
    module Evaluators
      # Collects violations; fail_fast stops the validation at the first (throw :fail_fast).
      class Collector
        attr_reader :violations

        def initialize(fail_fast)
          @fail_fast = fail_fast
          @violations = []
        end

        def violate(path, rule_path, rule_id, message)
          @violations << Violation.new(field_path: path.to_s, rule_path: rule_path, rule_id: rule_id,
            message: message, for_key: false)
          throw :fail_fast if @fail_fast
        end
      end

      # The checks of a message type. Planned once; a recursive type refers to its own plan.
      class MessagePlan
        attr_reader :fields, :rules

        def initialize
          @fields = []
          @rules = [] # message-level CelRules
        end

        def evaluate(message, path, out)
          @fields.each { |field| field.evaluate(message, path, out) }
          return if @rules.empty?

          this = CelRule.bindable(message)
          @rules.each do |rule|
            broken = rule.evaluate(this)
            out.violate(path, "", rule.id, broken) if broken
          end
        end
      end

      # One field of a message: `required`, the ignore condition, then the checks of its value.
      class Field
        # condition: :always, :never (IGNORE_ALWAYS) or :if_set (checked only when the field is set).
        def initialize(descriptor, required:, condition:, value:)
          @descriptor = descriptor
          @name = descriptor.name
          @required = required
          @condition = condition
          @value = value
        end

        def evaluate(message, path, out)
          if @required && !FieldValues.set?(@descriptor, message)
            out.violate(path.field(@name), "required", "required", "value is required")
            return
          end
          return if @condition == :never || @value.nil?
          return if @condition == :if_set && !FieldValues.set?(@descriptor, message)

          @value.evaluate(@descriptor.get(message), path.field(@name), out)
        end
      end

      # CEL rules of a field, with `this` bound to the value; their rule paths are `cel[i]` and
      # `cel_expression[i]` (under the path of FieldRules they sit in).
      class FieldCel
        def initialize(rules_with_paths, to_cel)
          @rules = rules_with_paths
          @to_cel = to_cel
        end

        def evaluate(value, path, out)
          this = CelRule.bindable(@to_cel.call(value))
          @rules.each do |rule, rule_path|
            broken = rule.evaluate(this)
            out.violate(path, rule_path, rule.id, broken) if broken
          end
        end
      end

      # A scalar value: its CEL rules, then its standard rules (StandardRules checks).
      class Scalar
        def initialize(cel, standard)
          @cel = cel
          @standard = standard
        end

        def evaluate(value, path, out)
          @cel&.evaluate(value, path, out)
          @standard&.each_violation(value) { |message, rule_id, rule_path| out.violate(path, rule_path, rule_id, message) }
        end
      end

      # A message value: the field's CEL rules on it, then the rules of its type.
      class Message
        def initialize(cel, plan)
          @cel = cel
          @plan = plan
        end

        def evaluate(value, path, out)
          @cel&.evaluate(value, path, out)
          @plan.evaluate(value, path, out)
        end
      end

      # Each item of a repeated field, at `field[i]`.
      class ListItems
        def initialize(item)
          @item = item
        end

        def evaluate(list, path, out)
          list.each_with_index { |item, index| @item.evaluate(item, path.list(index), out) }
        end
      end

      # Each value of a map field, at `field["key"]` (or `field[1]` for a number or bool key).
      class MapValues
        def initialize(value)
          @value = value
        end

        def evaluate(map, path, out)
          map.each { |key, value| @value.evaluate(value, path.map_key(key), out) }
        end
      end
    end

    # Reading field values the way @bufbuild/protobuf's reflection does.
    module FieldValues
      INTS = %i[int32 int64 sint32 sint64 sfixed32 sfixed64].freeze
      UINTS = %i[uint32 uint64 fixed32 fixed64].freeze

      module_function

      # isSet: present for a field with presence; non-empty for a repeated or map field; else not
      # its zero value.
      def set?(field, message)
        return field.has?(message) if field.has_presence?

        value = field.get(message)
        return !value.empty? if field.label == :repeated

        case field.type
        when :string, :bytes then !value.empty?
        when :bool then value
        when :enum then enum_number(field, value) != 0
        else !value.zero?
        end
      end

      def enum_number(field, value)
        value.is_a?(Symbol) ? field.subtype.lookup_name(value) : value
      end

      # How a scalar value of this field is bound to `this` in CEL; nil for a type not supported.
      def to_cel(field)
        case field.type
        when :string then ->(v) { Cel::String.new(v) }
        when *INTS then ->(v) { Cel::Number.new(:int, v) }
        when *UINTS then ->(v) { Cel::Number.new(:uint, v) }
        when :float, :double then ->(v) { Cel::Number.new(:double, v) }
        when :bool then ->(v) { Cel::Bool.new(v) }
        end
      end
    end
  end
end
