# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Server with an implementation that has only Ping, and misbehaves on purpose.
class ServerTest < Support::EchoServerTest
  include Support::RpcAssertions

  class Misbehaving
    attr_accessor :mode

    def ping(_request, call)
      sleep 1 if call.request_id == "slow"
      case mode
      when :crash then raise "password=hunter2 in the connection string"
      when :nats_error then raise NATS::IO::Timeout, "nats: timeout"
      when :no_stream then raise NATS::JetStream::Error::NoStreamResponse, "nats: no response from stream"
      when :wrong_type then Echo::V1::Item.new
      when :service_error then raise Switchyard::ServiceError.new(:RESOURCE_EXHAUSTED, "slow down\r\nX: y", field: "a.b")
      else Echo::V1::PingResponse.new(message: call.request_id.to_s, instance: call.instance_id)
      end
    end
  end

  class << self
    def new_implementation
      Misbehaving.new
    end

    def server_options
      {name: "misbehaving", version: "1.2.3", deployment: "canary_7"}
    end
  end

  def setup
    self.class.implementation.mode = nil
  end

  def ping(header: nil, deployment: nil)
    call_rpc("Ping", Echo::V1::PingRequest.new, header: header, deployment: deployment)
  end

  def stats_of(name)
    srv("STATS", "misbehaving").fetch("endpoints").find { |e| e["name"] == name }
  end

  # Requests and errors counted from one to the other.
  def delta(before, after)
    %w[num_requests num_errors].map { |key| after[key] - before[key] }
  end

  def test_a_slow_request_does_not_hold_up_the_next_one_of_the_same_rpc
    [nil, "canary_7"].each do |deployment|
      slow = Thread.new { call_rpc("Ping", Echo::V1::PingRequest.new, header: {"Switchyard-Request-Id" => "slow"}, deployment: deployment) }
      sleep 0.1
      fast = call_rpc("Ping", Echo::V1::PingRequest.new, header: {"Switchyard-Request-Id" => "fast"}, deployment: deployment)
      assert_equal "fast", assert_reply(fast, Echo::V1::PingResponse).message
      assert slow.alive?, "the slow request is still being handled (#{deployment || "shared"})"
      assert_equal "slow", assert_reply(slow.value, Echo::V1::PingResponse).message
    end
  end

  def test_a_missing_handler_replies_unimplemented
    [Echo::V1::EchoRequest.new, Echo::V1::GetRequest.new(id: "x")].each do |request|
      rpc = request.class.descriptor.name.delete_prefix("echo.v1.").delete_suffix("Request")
      assert_service_error call_rpc(rpc, request),
        reason: "UNIMPLEMENTED", status: 501, message: "echo.v1.EchoService.#{rpc} is not implemented"
    end
    assert_equal 40, log_entry(self.class.log.string, /Get has no handler/)["level"]
  end

  def test_every_rpc_is_an_endpoint_even_without_a_handler
    names = srv("INFO", "misbehaving").fetch("endpoints").map { |e| e["name"] }
    assert_equal %w[Ping Echo Get Update Delete Stream].flat_map { |rpc| [rpc, "#{rpc}-canary_7"] }, names
  end

  def test_the_deployment_given_replaces_the_default
    info = srv("INFO", "misbehaving")
    get = info.fetch("endpoints").find { |e| e["name"] == "Get-canary_7" }

    assert_equal "canary_7", self.class.server.deployment
    assert_equal "canary_7", info.fetch("metadata")["deployment"]
    assert_equal ["switchyard.deployment.canary_7.echo.v1.EchoService.Get", "canary_7"], get.values_at("subject", "queue_group")
    assert_service_error call_rpc("Get", Echo::V1::GetRequest.new(id: "x"), deployment: "canary_7"),
      reason: "UNIMPLEMENTED", status: 501, message: "echo.v1.EchoService.Get is not implemented", deployment: "canary_7"
  end

  def test_an_error_reply_is_counted_on_the_endpoint_the_request_came_in_on
    self.class.implementation.mode = :crash
    before = %w[Ping Ping-canary_7].map { |name| stats_of(name) }
    assert_service_error ping(deployment: "canary_7"), reason: "INTERNAL", status: 500, message: "internal error", deployment: "canary_7"
    after = %w[Ping Ping-canary_7].map { |name| stats_of(name) }

    assert_equal [0, 0], delta(before[0], after[0])
    assert_equal [1, 1], delta(before[1], after[1])
    assert_equal "500:internal error", after[1]["last_error"]
  end

  def test_a_bad_deployment_name_is_refused
    error = assert_raises(Switchyard::ConfigError) do
      Switchyard::Server.new(
        nil, contract: Switchyard::Contract.lookup("echo.v1.EchoService"), name: "x", version: "1.0.0",
        implementation: Object.new, logger: Switchyard::Log.new(StringIO.new, progname: "test"), deployment: "a.b"
      )
    end
    assert_equal "SWITCHYARD_DEPLOYMENT", error.variable
  end

  def test_handlers_get_the_instance_id_and_request_id
    response = assert_reply(ping(header: {"Switchyard-Request-Id" => "req-42"}), Echo::V1::PingResponse)

    assert_equal "req-42", response.message
    assert_equal self.class.server.instance_id, response.instance
  end

  def test_a_crash_is_internal_without_details_and_logged_with_the_request_s_ids
    self.class.implementation.mode = :crash
    traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    reply = ping(header: {"Switchyard-Request-Id" => "req-7", "traceparent" => traceparent}, deployment: "canary_7")
    assert_service_error reply, reason: "INTERNAL", status: 500, message: "internal error"

    entry = log_entry(self.class.log.string, /\Aswitchyard\.deployment\.canary_7\.echo\.v1\.EchoService\.Ping: RuntimeError: password=hunter2/)
    assert_equal [50, "req-7", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"], entry.values_at("level", "reqId", "trace_id", "span_id")
    assert_equal ["RuntimeError", "password=hunter2 in the connection string"], entry["err"].values_at("type", "message")
    assert_match(/in `ping'/, entry["err"]["stack"])
  end

  def test_a_log_line_without_request_id_or_trace_context_has_neither
    self.class.implementation.mode = :wrong_type
    ping(header: {"traceparent" => "not a traceparent"})

    entry = log_entry(self.class.log.string, /returned Echo::V1::Item/)
    assert_equal %w[err hostname level msg name pid time], entry.keys.sort
  end

  def test_a_nats_error_in_a_handler_does_not_stop_the_service
    self.class.implementation.mode = :nats_error
    assert_service_error ping, reason: "UNAVAILABLE", status: 503, message: "a backing system is unavailable; retry shortly"
    self.class.implementation.mode = :no_stream
    assert_service_error ping, reason: "UNAVAILABLE", status: 503, message: "a backing system is unavailable; retry shortly"

    self.class.implementation.mode = nil
    assert_reply(ping, Echo::V1::PingResponse) # nats-pure stops the whole service on a NATS::Error
  end

  def test_a_response_of_the_wrong_type_is_internal
    self.class.implementation.mode = :wrong_type
    assert_service_error ping, reason: "INTERNAL", status: 500, message: "internal error"
  end

  def test_a_service_error_carries_its_code_status_and_field_on_one_line
    self.class.implementation.mode = :service_error
    assert_service_error ping, reason: "RESOURCE_EXHAUSTED", status: 429, message: "slow down X: y", field: "a.b"
  end

  def test_a_request_without_reply_subject_is_served_without_reply
    self.class.implementation.mode = :crash
    client.publish("echo.v1.EchoService.Ping", "")
    client.flush

    self.class.implementation.mode = nil
    assert_reply(ping, Echo::V1::PingResponse)
  end
end
