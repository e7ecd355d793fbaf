# frozen_string_literal: true

require_relative "test_helper"

class ContractTest < Minitest::Test
  def contract
    Switchyard::Contract.lookup("users.v1.UserService")
  end

  def test_subjects_and_queue_group_come_from_the_descriptor
    assert_equal "users.v1", contract.package
    assert_equal "users-v1-UserService", contract.queue_group
    assert_equal(
      {
        "Ping" => "users.v1.UserService.Ping",
        "CreateUser" => "users.v1.UserService.CreateUser",
        "GetUser" => "users.v1.UserService.GetUser",
        "ListUsers" => "users.v1.UserService.ListUsers",
        "UpdateUser" => "users.v1.UserService.UpdateUser",
        "DeleteUser" => "users.v1.UserService.DeleteUser",
        "StreamUsers" => "users.v1.UserService.StreamUsers"
      },
      contract.rpcs.to_h { |rpc| [rpc.name, rpc.subject] }
    )
  end

  def test_rpcs_carry_their_message_classes_and_handler_names
    create = contract.rpcs.find { |rpc| rpc.name == "CreateUser" }

    assert_equal Users::V1::CreateUserRequest, create.request_class
    assert_equal Users::V1::CreateUserResponse, create.response_class
    assert_equal "users.v1.CreateUserRequest", create.request_type
    assert_equal :create_user, create.handler
  end

  def test_handler_names_are_snake_case
    {"Ping" => :ping, "GetHTTPStatus" => :get_http_status, "ListV2Users" => :list_v2_users}.each do |name, handler|
      assert_equal handler, Switchyard::Rpc.new(name: name).handler
    end
  end

  def test_an_unknown_service_is_refused
    error = assert_raises(ArgumentError) { Switchyard::Contract.lookup("users.v1.User") }
    assert_match(/not a loaded Protobuf service/, error.message)
  end

  def test_methods_every_object_has_are_not_handlers
    rpc = Switchyard::Rpc.new(name: "Display", subject: "x.Display")
    logger = Switchyard::Log.new(StringIO.new, progname: "test")
    implementation = Class.new { def ping(_request, _call) = nil }.new

    refute Switchyard::Dispatcher.new(rpc: rpc, implementation: implementation, instance_id: "i", deployment: "d", logger: logger).implemented?
    ping = Switchyard::Rpc.new(name: "Ping", subject: "x.Ping")
    assert Switchyard::Dispatcher.new(rpc: ping, implementation: implementation, instance_id: "i", deployment: "d", logger: logger).implemented?
  end
end
