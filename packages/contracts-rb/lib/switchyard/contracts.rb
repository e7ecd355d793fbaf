# frozen_string_literal: true

require_relative "contracts/version"

module Switchyard
  # The Ruby code generated from Switchyard's contracts (proto/): after `require "switchyard/contracts"`,
  # `require "users/v1/users_pb"`. The generated files require each other by their proto paths
  # (users/v1/users_pb requires buf/validate/validate_pb), so their folder goes on the load path, and
  # first: another gem's copy of a shared file (googleapis-common-protos-types has
  # google/api/annotations_pb) must not stand in for the one these were generated with.
  module Contracts
    GEN = File.expand_path("../gen", __dir__)
  end
end

$LOAD_PATH.unshift(Switchyard::Contracts::GEN) unless $LOAD_PATH.include?(Switchyard::Contracts::GEN)
