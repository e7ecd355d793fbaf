# frozen_string_literal: true

require_relative "test_helper"

# A service process (test/bin/echo-rb) with OTEL_EXPORTER_OTLP_ENDPOINT set exports one CONSUMER span per request over
# OTLP/HTTP, here to a receiver inside the test.
class TracingTest < Support::ClientTest
  include Support::RpcAssertions
  include Support::ServiceProcess

  TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
  PARENT_ID = "00f067aa0ba902b7"
  TRACEPARENT = "00-#{TRACE_ID}-#{PARENT_ID}-01"
  OTEL_ENV = {
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => nil,
    "OTEL_TRACES_EXPORTER" => nil,
    "OTEL_SERVICE_NAME" => nil,
    "OTEL_RESOURCE_ATTRIBUTES" => nil,
    "OTEL_PROPAGATORS" => nil,
    "OTEL_BSP_SCHEDULE_DELAY" => "100"
  }.freeze

  def setup
    @receiver = Support::OtlpReceiver.start
  end

  def teardown
    kill_service
    @receiver.stop
  end

  def spawn_traced(env = {})
    spawn_service(OTEL_ENV.merge("OTEL_EXPORTER_OTLP_ENDPOINT" => @receiver.url).merge(env))
    wait_for_output(/started: echo/)
  end

  def test_a_request_gets_a_consumer_span_child_of_its_traceparent
    spawn_traced
    header = {"traceparent" => TRACEPARENT, "tracestate" => "vendor=abc", "Switchyard-Request-Id" => "req-1"}
    assert_reply(call_rpc("Ping", Echo::V1::PingRequest.new, header: header), Echo::V1::PingResponse)
    received = @receiver.wait_for_span { |s| s.span.name == "process echo.v1.EchoService.Ping" }
    span = received.span

    assert_equal TRACE_ID, span.trace_id.unpack1("H*")
    assert_equal PARENT_ID, span.parent_span_id.unpack1("H*")
    assert_equal "vendor=abc", span.trace_state
    assert_equal :SPAN_KIND_CONSUMER, span.kind
    assert_equal :STATUS_CODE_UNSET, span.status.code
    assert_equal(
      {
        "messaging.system" => "nats",
        "messaging.operation.type" => "process",
        "messaging.operation.name" => "process",
        "messaging.destination.name" => "echo.v1.EchoService.Ping",
        "messaging.consumer.group.name" => "echo-v1-EchoService",
        "rpc.system" => "switchyard",
        "rpc.service" => "echo.v1.EchoService",
        "rpc.method" => "Ping",
        "switchyard.deployment" => "echo-rb"
      },
      attributes(span)
    )
    resource = attributes(received.resource)
    assert_equal ["echo-rb", Support::EchoApp::VERSION, srv("INFO").fetch("id"), "echo-rb"],
      resource.values_at("service.name", "service.version", "service.instance.id", "switchyard.deployment")
    assert_equal ["/v1/traces"], @receiver.paths.uniq
    assert_equal 1, log_entries(@output).count { |e| e["msg"].start_with?("tracing: ") }, @output
  end

  def test_the_deployment_s_subject_an_error_code_and_a_server_error
    spawn_traced("SWITCHYARD_DEPLOYMENT" => "echo-rb-canary", "OTEL_SERVICE_NAME" => "echo-canary")
    header = {"traceparent" => TRACEPARENT}
    assert_service_error call_rpc("Get", Echo::V1::GetRequest.new(id: "nothing"), header: header, deployment: "echo-rb-canary"),
      reason: "NOT_FOUND", status: 404, message: "item nothing not found", field: "id"
    assert_service_error call_rpc("Echo", Echo::V1::EchoRequest.new(text: "crash"), header: header, deployment: "echo-rb-canary"),
      reason: "INTERNAL", status: 500, message: "internal error"

    prefix = "switchyard.deployment.echo-rb-canary.echo.v1.EchoService"
    not_found = @receiver.wait_for_span { |s| s.span.name == "process #{prefix}.Get" }
    received = @receiver.wait_for_span { |s| s.span.name == "process #{prefix}.Echo" }
    server_error = received.span

    assert_equal ["NOT_FOUND", :STATUS_CODE_UNSET], [attributes(not_found.span)["error.type"], not_found.span.status.code]
    assert_equal ["INTERNAL", :STATUS_CODE_ERROR], [attributes(server_error)["error.type"], server_error.status.code]
    assert_equal ["#{prefix}.Echo", "echo-rb-canary", "Echo", "echo-rb-canary"],
      attributes(server_error).values_at("messaging.destination.name", "messaging.consumer.group.name", "rpc.method", "switchyard.deployment")
    assert_equal ["echo-canary", "echo-rb-canary"], attributes(received.resource).values_at("service.name", "switchyard.deployment")
    # The log line about the failure names the request's span, not its parent.
    wait_for_output(/Echo: [^\n]*\n/)
    entry = log_entry(@output, /Echo: /)
    assert_equal [TRACE_ID, server_error.span_id.unpack1("H*")], entry.values_at("trace_id", "span_id")
  end

  def test_the_spans_left_are_exported_when_it_stops
    spawn_traced("OTEL_BSP_SCHEDULE_DELAY" => "600000")
    call_rpc("Ping", Echo::V1::PingRequest.new)

    Process.kill("TERM", @pid)

    assert_equal 0, wait_for_exit.exitstatus
    assert_equal ["process echo.v1.EchoService.Ping"], @receiver.spans.map { |s| s.span.name }
  end

  def test_a_request_without_trace_context_starts_a_trace
    spawn_traced
    call_rpc("Ping", Echo::V1::PingRequest.new)
    span = @receiver.wait_for_span { |s| s.span.name == "process echo.v1.EchoService.Ping" }.span

    assert_equal "", span.parent_span_id
    refute_equal "0" * 32, span.trace_id.unpack1("H*")
  end

  def test_tracing_that_cannot_be_configured_leaves_the_service_serving
    spawn_traced("OTEL_EXPORTER_OTLP_COMPRESSION" => "zstd")
    reply = call_rpc("Ping", Echo::V1::PingRequest.new, header: {"traceparent" => TRACEPARENT})

    assert_equal "pong", assert_reply(reply, Echo::V1::PingResponse).message
    entry = log_entry(@output, /\Atracing off: /)
    assert_equal [50, "ArgumentError"], [entry["level"], entry.dig("err", "type")]
  end

  def test_an_unreachable_collector_does_not_fail_requests
    port = TCPServer.open("127.0.0.1", 0) { |server| server.addr[1] } # free once closed
    spawn_traced("OTEL_EXPORTER_OTLP_ENDPOINT" => "http://127.0.0.1:#{port}", "OTEL_EXPORTER_OTLP_TIMEOUT" => "1")
    3.times { assert_reply(call_rpc("Ping", Echo::V1::PingRequest.new), Echo::V1::PingResponse) }

    Process.kill("TERM", @pid)

    assert_equal 0, wait_for_exit.exitstatus
    log_entries(@output) # every line, the SDK's own complaints included, is one of ours
  end

  def test_without_an_endpoint_the_sdk_is_not_even_loaded
    script = <<~RUBY
      require #{File.expand_path("../lib/switchyard", __dir__).dump}
      tracing = Switchyard::Tracing.from_env(logger: Switchyard::Log.new(progname: "t"))
      tracing.start(version: "1.0.0", instance_id: "i", deployment: "d")
      print tracing.class, " ", $LOADED_FEATURES.grep(%r{/opentelemetry}).size, " ", defined?(OpenTelemetry::SDK).inspect
    RUBY
    off = {**Support::ServiceProcess::QUIET, "OTEL_TRACES_EXPORTER" => nil}
    on = {**off, "OTEL_EXPORTER_OTLP_ENDPOINT" => @receiver.url}

    assert_equal "Switchyard::NoTracing 0 nil", run_ruby(off, script)
    assert_equal "Switchyard::NoTracing 0 nil", run_ruby(on.merge("OTEL_TRACES_EXPORTER" => "none"), script)
    assert_match(/\ASwitchyard::OtlpTracing [1-9]\d* "constant"\z/, run_ruby(on, script).lines.last)
  end

  private

  def run_ruby(env, script)
    IO.popen(env, [RbConfig.ruby, "-e", script], err: [:child, :out], &:read)
  end

  def attributes(holder)
    holder.attributes.to_h { |pair| [pair.key, pair.value.public_send(pair.value.value)] }
  end
end
