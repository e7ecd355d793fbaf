# frozen_string_literal: true

require_relative "test_helper"

class CallTest < Minitest::Test
  def call_with(headers)
    Switchyard::Call.new(rpc: nil, instance_id: "i", headers: headers)
  end

  def test_reads_the_gateway_headers
    call = call_with({
      "Switchyard-Request-Id" => "req-1",
      "traceparent" => "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "Switchyard-Meta-Tenant" => "acme"
    })
    assert_equal "req-1", call.request_id
    assert_equal "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", call.traceparent
    assert_equal "acme", call.metadata("Tenant")
    assert_nil call.metadata("Other")
  end

  def test_reads_metadata_whatever_the_case_of_its_name
    call = call_with({"Switchyard-Meta-tenant" => "acme"})
    assert_equal "acme", call.metadata("Tenant")
    assert_equal "acme", call.metadata("tenant")
  end

  def test_has_nothing_without_headers
    call = call_with(nil)
    assert_nil call.request_id
    assert_nil call.traceparent
    assert_nil call.metadata("Tenant")
  end
end
