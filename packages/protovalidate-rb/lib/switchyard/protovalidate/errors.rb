# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # Any error of this library.
    class Error < StandardError; end

    # The rules of a message cannot be checked: a rule this library does not implement, a CEL
    # expression that does not parse, a regular expression outside the RE2 syntax it translates.
    # Raised when the validator plans the message (its first #validate, or #plan), never skipped.
    class CompilationError < Error; end

    # A rule failed to evaluate on a value (a CEL expression that errs, or yields neither a bool nor a
    # string). @bufbuild/protovalidate answers such a message with a result of kind "error".
    class EvaluationError < Error; end
  end
end
