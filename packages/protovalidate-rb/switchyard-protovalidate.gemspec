# frozen_string_literal: true

require_relative "lib/switchyard/protovalidate/version"

Gem::Specification.new do |spec|
  spec.name = "switchyard-protovalidate"
  spec.version = Switchyard::Protovalidate::VERSION
  spec.summary = "The protovalidate (buf.validate) rules Switchyard's contracts use, checked in Ruby 3.1"
  spec.description = "A small validator that reads buf.validate field rules from generated Ruby descriptors and " \
    "reports the same field paths, rule ids and messages as @bufbuild/protovalidate. A stand-in for the " \
    "official protovalidate gem, which needs Ruby >= 3.3."
  spec.authors = ["Switchyard"]
  spec.required_ruby_version = ">= 3.1"
  spec.files = Dir["lib/**/*.rb", "README.md"]
  spec.require_paths = ["lib"]

  # The same runtime as the generated contracts (packages/contracts-rb).
  spec.add_dependency "google-protobuf", "~> 4.31.1"
  # CEL (the rules' `cel` expressions): cel-ruby.
  spec.add_dependency "cel", "~> 0.6.2"
end
