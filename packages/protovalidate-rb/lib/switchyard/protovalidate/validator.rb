# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # Checks messages against the buf.validate rules of their contract:
    #
    #   validator = Switchyard::Protovalidate::Validator.new
    #   validator.validate(request)   # => [Violation], [] when valid
    #   validator.violation(request)  # => the first Violation (fail fast), or nil
    #
    # The rules of a message type are planned on its first validation (or by #plan, e.g. at boot)
    # and kept; a rule this library does not implement raises CompilationError then. A rule that
    # fails to evaluate raises EvaluationError. Safe to share between threads.
    class Validator
      def initialize
        @planner = Planner.new
        @plans = {}
        @lock = Mutex.new
      end

      # Every violation, in the order @bufbuild/protovalidate reports them.
      def validate(message, fail_fast: false)
        plan = plan_of(message.class.descriptor)
        out = Evaluators::Collector.new(fail_fast)
        catch(:fail_fast) { plan.evaluate(message, Path::EMPTY, out) }
        out.violations
      end

      # The first violation (what a service answers: INVALID_ARGUMENT, Violation#field_name,
      # Violation#message), or nil.
      def violation(message)
        validate(message, fail_fast: true).first
      end

      def valid?(message)
        violation(message).nil?
      end

      # Plans the rules of message classes or descriptors now: CompilationError for a rule this
      # library does not implement, before any request arrives.
      def plan(*messages)
        messages.each { |m| plan_of(m.respond_to?(:descriptor) ? m.descriptor : m) }
        self
      end

      private

      def plan_of(descriptor)
        @plans[descriptor.name] || @lock.synchronize do
          @plans[descriptor.name] ||= @planner.plan(descriptor)
        end
      end
    end
  end
end
