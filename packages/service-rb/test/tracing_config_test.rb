# frozen_string_literal: true

require_relative "test_helper"

class TracingConfigTest < Minitest::Test
  def tracing(env)
    Switchyard::Tracing.from_env(logger: Switchyard::Log.new(StringIO.new, progname: "t"), env: env)
  end

  def test_on_only_with_an_otlp_endpoint
    assert_instance_of Switchyard::NoTracing, tracing({})
    assert_instance_of Switchyard::NoTracing, tracing("OTEL_EXPORTER_OTLP_ENDPOINT" => "")
    assert_instance_of Switchyard::OtlpTracing, tracing("OTEL_EXPORTER_OTLP_ENDPOINT" => "http://127.0.0.1:4318")
    assert_instance_of Switchyard::OtlpTracing, tracing("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => "http://127.0.0.1:4318/v1/traces")
  end

  def test_off_when_the_traces_exporter_is_none_or_the_sdk_disabled
    endpoint = {"OTEL_EXPORTER_OTLP_ENDPOINT" => "http://127.0.0.1:4318"}

    assert_instance_of Switchyard::NoTracing, tracing(endpoint.merge("OTEL_TRACES_EXPORTER" => "none"))
    assert_instance_of Switchyard::NoTracing, tracing(endpoint.merge("OTEL_SDK_DISABLED" => "true"))
    assert_instance_of Switchyard::OtlpTracing, tracing(endpoint.merge("OTEL_TRACES_EXPORTER" => "otlp", "OTEL_SDK_DISABLED" => "false"))
  end

  def test_without_tracing_log_lines_take_the_ids_of_the_traceparent
    ids = Switchyard::NoTracing.new.trace_ids("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")

    assert_equal({trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7"}, ids.to_h)
    assert_equal 42, Switchyard::NoTracing.new.process(nil, route: nil, rpc: nil) { 42 }
  end
end
