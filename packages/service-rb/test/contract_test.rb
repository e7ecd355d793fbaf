# frozen_string_literal: true

require_relative "test_helper"

class ContractTest < Minitest::Test
  def contract
    Switchyard::Contract.lookup("echo.v1.EchoService")
  end

  def test_subjects_and_queue_group_come_from_the_descriptor
    assert_equal "echo.v1", contract.package
    assert_equal "echo-v1-EchoService", contract.queue_group
    assert_equal(
      {
        "Ping" => "echo.v1.EchoService.Ping",
        "Echo" => "echo.v1.EchoService.Echo",
        "Get" => "echo.v1.EchoService.Get",
        "Update" => "echo.v1.EchoService.Update",
        "Delete" => "echo.v1.EchoService.Delete",
        "Stream" => "echo.v1.EchoService.Stream"
      },
      contract.rpcs.to_h { |rpc| [rpc.name, rpc.subject] }
    )
  end

  def test_rpcs_carry_their_message_classes_and_handler_names
    update = contract.rpcs.find { |rpc| rpc.name == "Update" }

    assert_equal Echo::V1::UpdateRequest, update.request_class
    assert_equal Echo::V1::UpdateResponse, update.response_class
    assert_equal "echo.v1.UpdateRequest", update.request_type
    assert_equal :update, update.handler
  end

  def test_handler_names_are_snake_case
    {"Ping" => :ping, "GetHTTPStatus" => :get_http_status, "ListV2Users" => :list_v2_users}.each do |name, handler|
      assert_equal handler, Switchyard::Rpc.new(name: name).handler
    end
  end

  def test_an_unknown_service_is_refused
    error = assert_raises(ArgumentError) { Switchyard::Contract.lookup("echo.v1.Item") }
    assert_match(/not a loaded Protobuf service/, error.message)
  end

  def test_methods_every_object_has_are_not_handlers
    rpc = Switchyard::Rpc.new(name: "Display", subject: "x.Display", request_class: Echo::V1::PingRequest)
    logger = Switchyard::Log.new(StringIO.new, progname: "test")
    implementation = Class.new { def ping(_request, _call) = nil }.new

    refute Switchyard::Dispatcher.new(rpc: rpc, implementation: implementation, instance_id: "i", deployment: "d", logger: logger).implemented?
    ping = Switchyard::Rpc.new(name: "Ping", subject: "x.Ping", request_class: Echo::V1::PingRequest)
    assert Switchyard::Dispatcher.new(rpc: ping, implementation: implementation, instance_id: "i", deployment: "d", logger: logger).implemented?
  end
end
