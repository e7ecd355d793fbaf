# frozen_string_literal: true

module Switchyard
  # The contract's field rules (protovalidate annotations in the .proto), checked on every request
  # before its handler runs, as the gateway checks a request transcoded from JSON and as the
  # TypeScript SDK checks every request it decodes (@switchyard/protocol's ruleViolation): a request
  # gets the same code, field and message straight over NATS as through the gateway.
  #
  # The first violation is reported (fail fast), as ServiceError INVALID_ARGUMENT with the rule's
  # message and the field at fault (Protovalidate::Violation#field_name: user.first_name). The rules
  # are checked by switchyard-protovalidate (packages/protovalidate-rb), whose tests hold it to
  # @bufbuild/protovalidate's output.
  module RequestRules
    VALIDATOR = Protovalidate::Validator.new

    module_function

    # The ServiceError a message breaking one of its rules is answered with, or nil when it keeps
    # them all. Raises Protovalidate::Error when a rule cannot be compiled or evaluated.
    def violation(message)
      found = VALIDATOR.violation(message)
      found && ServiceError.new(:INVALID_ARGUMENT, found.message, field: found.field_name)
    end

    # Compiles a message class's rules now rather than on its first request (CEL takes milliseconds
    # to compile, which a request with a short deadline cannot spare). Protovalidate::CompilationError
    # for a rule switchyard-protovalidate does not implement.
    def prepare(message_class)
      VALIDATOR.plan(message_class)
    end
  end
end
