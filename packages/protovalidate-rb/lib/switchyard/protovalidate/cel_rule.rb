# frozen_string_literal: true

# cel-ruby 0.6 uses Set without requiring it; Ruby 3.1 does not load it by default.
require "set"
require "cel"

module Switchyard
  module Protovalidate
    # One CEL rule (buf.validate.Rule: id, message, expression), compiled with cel-ruby and evaluated
    # the way @bufbuild/protovalidate evaluates it: `this` is the value (a message, or a scalar), the
    # result is a bool (false breaks the rule) or a string (non-empty breaks it, and is the message
    # unless the rule has one). A rule without a message whose expression is false says
    # `"<expression>" returned false`.
    class CelRule
      ENVIRONMENT = Cel::Environment.new(disable_check: true)

      attr_reader :id, :message, :expression

      def initialize(id:, message:, expression:)
        @id = id
        @message = message
        @expression = expression
        @program = ENVIRONMENT.program(CelCompat.normalize(parse(expression)))
      rescue CompilationError => e
        raise CompilationError, "CEL rule #{id.inspect}: #{e.message}"
      end

      # The value as the rules of one message or field read it, made once for all of them: a
      # message is a copy, because cel-ruby extends each message it reads
      # (Cel::Protobuf::CelComparisonMode), and a message so extended is no longer of its class to
      # google-protobuf (a request's user could not be assigned to a response's).
      def self.bindable(value)
        value.is_a?(Google::Protobuf::MessageExts) ? Google::Protobuf.deep_copy(value) : value
      end

      # nil when the rule holds; else the violation's message. `this` comes from CelRule.bindable.
      def evaluate(this)
        result = @program.evaluate(this: this)
        result = result.value if result.is_a?(Cel::Literal)
        case result
        when true, "" then nil
        when false then @message.empty? ? "\"#{@expression}\" returned false" : @message
        when String then @message.empty? ? result : @message
        else raise EvaluationError, "CEL rule #{@id.inspect} yields #{result.inspect}, wanted a bool or a string"
        end
      rescue Error
        raise
      rescue => e
        raise EvaluationError, "CEL rule #{@id.inspect} (#{@expression}): #{e.class}: #{e.message}"
      end

      private

      def parse(expression)
        Cel::Parser.new(nil).parse(expression)
      rescue Cel::Error => e
        raise CompilationError, "#{expression.inspect} does not parse: #{e.message}"
      end
    end

    # What cel-ruby reads differently from CEL (cel-go, @bufbuild/cel), fixed on the parsed
    # expression, in this one place:
    # - matches() takes an RE2 pattern; cel-ruby hands it to Ruby's Regexp. A literal pattern is
    #   translated (RE2.translate); a pattern computed at run time is refused.
    # - `x.size()` (the receiver form) is not implemented by cel-ruby: it becomes `size(x)`.
    module CelCompat
      module_function

      def normalize(node)
        case node
        when Cel::Invoke then invoke(node)
        when Cel::Operation
          node.operands.map! { |operand| normalize(operand) }
          node
        when Cel::Condition
          %i[@if @then @else].each { |ivar| node.instance_variable_set(ivar, normalize(node.instance_variable_get(ivar))) }
          node
        when Cel::Group
          node.instance_variable_set(:@value, normalize(node.value))
          node
        when Cel::List
          node.value.map! { |item| normalize(item) }
          node
        else node
        end
      end

      def invoke(node)
        node.var = normalize(node.var) if node.var.is_a?(Cel::Invoke) || node.var.is_a?(Cel::Operation) || node.var.is_a?(Cel::Group)
        node.args&.map! { |arg| normalize(arg) }
        if node.func == :size && node.var && (node.args.nil? || node.args.empty?)
          return Cel::Invoke.new(func: :size, args: [node.var])
        end

        translate_pattern(node) if node.func == :matches
        node
      end

      def translate_pattern(node)
        index = node.var ? 0 : 1
        pattern = node.args&.[](index)
        unless pattern.is_a?(Cel::String)
          raise CompilationError, "matches() with a pattern that is not a string literal (#{node}) is not supported"
        end

        node.args[index] = Cel::String.new(RE2.compile(pattern.value).source)
      end
    end
  end
end
