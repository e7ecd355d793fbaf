# frozen_string_literal: true

require_relative "lib/switchyard/contracts/version"

Gem::Specification.new do |spec|
  spec.name = "switchyard-contracts"
  spec.version = Switchyard::Contracts::VERSION
  spec.summary = "Switchyard's contracts (users.v1, inventory.v1) as Ruby Protobuf classes"
  spec.description = "The Ruby code protoc generates from Switchyard's proto/ folder, with the files it imports " \
    "(buf/validate, google/api). require \"switchyard/contracts\", then \"users/v1/users_pb\"."
  spec.authors = ["Switchyard"]
  spec.required_ruby_version = ">= 3.1"
  spec.files = Dir["lib/**/*.rb", "README.md"]
  spec.require_paths = ["lib"]

  # The runtime must match the protoc that generated lib/gen (grpc-tools 1.76 ships protoc 31.1).
  spec.add_dependency "google-protobuf", "~> 4.31.1"
end
