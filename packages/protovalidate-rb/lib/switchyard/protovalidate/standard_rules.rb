# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # The standard (non-CEL) rules of buf.validate.FieldRules this library implements, with the
    # messages and rule ids of @bufbuild/protovalidate's native rules (its src/native/string.ts and
    # numeric.ts), checked in the order it checks them. StandardRules.for builds the checks of one
    # field's type rules, or raises CompilationError naming the first rule it does not implement.
    module StandardRules
      INTEGER_KINDS = %w[int32 int64 uint32 uint64 sint32 sint64 fixed32 fixed64 sfixed32 sfixed64].freeze
      # Rules that document and check nothing.
      INERT = %w[example].freeze

      module_function

      # kind: the FieldRules type case ("string", "int32", ...); rules: its message (StringRules ...).
      def for(kind, rules, field_label)
        case kind
        when "string" then StringChecks.new(rules, field_label)
        when *INTEGER_KINDS then IntegerChecks.new(kind, rules, field_label)
        else
          raise CompilationError, "unsupported rule: (buf.validate.field).#{kind} on #{field_label}"
        end
      end

      # The names of the set fields of a rules message.
      def set_fields(rules)
        rules.class.descriptor.select do |f|
          (f.label == :repeated) ? !f.get(rules).empty? : f.has?(rules)
        end.map(&:name)
      end

      def refuse_others!(kind, rules, supported, field_label)
        (set_fields(rules) - supported - INERT).each do |name|
          raise CompilationError, "unsupported rule: (buf.validate.field).#{kind}.#{name} on #{field_label}"
        end
      end

      # string: len, min_len, max_len (in code points), pattern (RE2).
      class StringChecks
        SUPPORTED = %w[len min_len max_len pattern].freeze

        def initialize(rules, field_label)
          StandardRules.refuse_others!("string", rules, SUPPORTED, field_label)
          @len = rules.len if rules.has_len?
          @min_len = rules.min_len if rules.has_min_len?
          @max_len = rules.max_len if rules.has_max_len?
          return unless rules.has_pattern?

          @pattern_source = rules.pattern
          @pattern = begin
            RE2.compile(rules.pattern)
          rescue CompilationError => e
            raise CompilationError, "(buf.validate.field).string.pattern on #{field_label}: #{e.message}"
          end
        end

        # Yields (message, rule id, rule path) for each broken rule.
        def each_violation(value)
          length = value.length
          yield "must be #{@len} characters", "string.len", "string.len" if @len && length != @len
          yield "must be at least #{@min_len} characters", "string.min_len", "string.min_len" if @min_len && length < @min_len
          yield "must be at most #{@max_len} characters", "string.max_len", "string.max_len" if @max_len && length > @max_len
          return if @pattern.nil? || @pattern.match?(value)

          yield "does not match regex pattern `#{@pattern_source}`", "string.pattern", "string.pattern"
        end
      end

      # Integer kinds: gt, gte, lt, lte (a range when both ends are set; an exclusive range when the
      # upper end is below the lower).
      class IntegerChecks
        SUPPORTED = %w[gt gte lt lte].freeze

        def initialize(kind, rules, field_label)
          StandardRules.refuse_others!(kind, rules, SUPPORTED, field_label)
          @kind = kind
          lower = rules.greater_than
          upper = rules.less_than
          @lo = lower && [lower.to_s, rules.public_send(lower)]
          @hi = upper && [upper.to_s, rules.public_send(upper)]
        end

        def each_violation(value)
          if @lo && @hi
            range(value) { |*violation| yield(*violation) }
          elsif @lo
            yield "must be #{lo_words}", "#{@kind}.#{@lo[0]}", "#{@kind}.#{@lo[0]}" if below?(value)
          elsif @hi && above?(value)
            yield "must be #{hi_words}", "#{@kind}.#{@hi[0]}", "#{@kind}.#{@hi[0]}"
          end
        end

        private

        def range(value)
          normal = @hi[1] >= @lo[1]
          fail = normal ? (above?(value) || below?(value)) : (above?(value) && below?(value))
          return unless fail

          words = "must be #{lo_words} #{normal ? "and" : "or"} #{hi_words}"
          yield words, "#{@kind}.#{@lo[0]}_#{@hi[0]}#{"_exclusive" unless normal}", "#{@kind}.#{@lo[0]}"
        end

        def below?(value) = (@lo[0] == "gt") ? value <= @lo[1] : value < @lo[1]

        def above?(value) = (@hi[0] == "lt") ? value >= @hi[1] : value > @hi[1]

        def lo_words = (@lo[0] == "gt") ? "greater than #{@lo[1]}" : "greater than or equal to #{@lo[1]}"

        def hi_words = (@hi[0] == "lt") ? "less than #{@hi[1]}" : "less than or equal to #{@hi[1]}"
      end
    end
  end
end
