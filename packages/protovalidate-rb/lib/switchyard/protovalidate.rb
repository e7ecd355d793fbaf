# frozen_string_literal: true

require "google/protobuf"
require_relative "protovalidate/version"
require_relative "protovalidate/errors"
require_relative "protovalidate/path"
require_relative "protovalidate/violation"
require_relative "protovalidate/re2"
require_relative "protovalidate/rule_options"
require_relative "protovalidate/cel_rule"
require_relative "protovalidate/standard_rules"
require_relative "protovalidate/evaluators"
require_relative "protovalidate/planner"
require_relative "protovalidate/validator"

module Switchyard
  # The protovalidate (buf.validate) rules of Switchyard's contracts, checked in Ruby with the
  # field paths, rule ids and messages of @bufbuild/protovalidate. See README.md for the rules it
  # implements; Validator is the entry point. The generated buf/validate/validate_pb must be loaded
  # (it comes with the generated contracts).
  module Protovalidate
  end
end
