# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "rbconfig"

# The generated contracts the services load (packages/contracts-rb/lib/gen, or before it
# services/users-rb/lib/gen), checked in a process of their own: their buf/validate and users.v1
# files would clash with test/gen's copies in this one.
class ContractsTest < Minitest::Test
  ROOT = File.expand_path("../../..", __dir__)
  CANDIDATES = %w[packages/contracts-rb/lib/gen services/users-rb/lib/gen].freeze

  SCRIPT = <<~RUBY
    require "switchyard/protovalidate"
    require "users/v1/users_pb"
    validator = Switchyard::Protovalidate::Validator.new
    v = validator.violation(Users::V1::CreateUserRequest.new(user: Users::V1::User.new(first_name: " ", last_name: "L")))
    puts [v.field_name, v.message].join("|")
    v = validator.violation(Users::V1::UpdateUserRequest.new(user: Users::V1::User.new(first_name: "Ada")))
    puts [v.field_name, v.message].join("|")
  RUBY

  def test_the_users_contract_as_the_services_load_it
    gen = CANDIDATES.map { |dir| File.join(ROOT, dir) }.find { |dir| File.exist?(File.join(dir, "users/v1/users_pb.rb")) }
    skip "no generated users contract in #{CANDIDATES.join(" or ")}" if gen.nil?

    lib = File.expand_path("../lib", __dir__)
    out, err, status = Open3.capture3(RbConfig.ruby, "-I", lib, "-I", gen, "-e", SCRIPT)
    assert status.success?, err
    first, second = out.lines.map(&:chomp)
    assert_equal "user.first_name|user.first_name is required", first
    assert_equal "user.id|user.id is required", second
  end
end
