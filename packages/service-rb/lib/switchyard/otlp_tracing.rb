# frozen_string_literal: true

module Switchyard
  # Tracing on: the OpenTelemetry SDK, configured by the standard OTEL_* variables, exports spans
  # over OTLP/HTTP (protobuf) through a BatchSpanProcessor (OTEL_BSP_SCHEDULE_DELAY and the rest).
  # Each request gets one CONSUMER span, `process <subject>`, child of the trace context the request
  # came with. Tracing never fails a request: a span that cannot be made or ended is logged and
  # skipped, and a configuration that fails leaves tracing off.
  class OtlpTracing
    SCOPE = "switchyard"
    SHUTDOWN_TIMEOUT = 5 # seconds to export what is left

    def initialize(logger:, env: ENV)
      @logger = logger
      @env = env
      @tracer = nil
    end

    # Configures the SDK once the instance is registered (its id is in the resource) and before its
    # endpoints take requests.
    def start(version:, instance_id:, deployment:)
      require "opentelemetry/sdk"
      require "opentelemetry/exporter/otlp"
      @deployment = deployment
      OpenTelemetry.logger = @logger # the SDK's own troubles (a failed export) as our log lines
      # Made here rather than in the configure block, which would log a bad setting and go on.
      processor = OpenTelemetry::SDK::Trace::Export::BatchSpanProcessor.new(OpenTelemetry::Exporter::OTLP::Exporter.new)
      OpenTelemetry::SDK.configure do |config|
        config.logger = @logger
        config.resource = OpenTelemetry::SDK::Resources::Resource.create(resource(version, instance_id))
        config.add_span_processor(processor)
      end
      provider = OpenTelemetry.tracer_provider
      raise "the SDK was not configured" unless provider.is_a?(OpenTelemetry::SDK::Trace::TracerProvider)

      @tracer = provider.tracer(SCOPE)
      @logger.info("tracing: spans of #{service_name} exported over OTLP/HTTP")
      self
    rescue ScriptError, StandardError => error
      @logger.error(msg: "tracing off: cannot configure OpenTelemetry: #{error.message}", err: error)
      self
    end

    # Runs the block, which serves the request and returns the ServiceError it replied with (or
    # nil), in the request's span.
    def process(headers, route:, rpc:)
      span = start_span(headers, route, rpc)
      return yield unless span

      begin
        outcome = OpenTelemetry::Trace.with_span(span) { yield }
      ensure
        finish(span, outcome)
      end
    end

    # The active span's ids (the request's span), else the traceparent's.
    def trace_ids(traceparent)
      context = OpenTelemetry::Trace.current_span.context if @tracer
      return TraceIds.new(context.hex_trace_id, context.hex_span_id) if context&.valid?

      TraceIds.parse(traceparent)
    end

    # Exports the spans still queued; called once the connection is drained.
    def shutdown
      OpenTelemetry.tracer_provider.shutdown(timeout: SHUTDOWN_TIMEOUT) if @tracer
    rescue => error
      @logger.warn(msg: "tracing: shutdown failed: #{error.message}", err: error)
    end

    private

    def service_name
      name = @env["OTEL_SERVICE_NAME"].to_s
      name.empty? ? @deployment : name
    end

    def resource(version, instance_id)
      {
        "service.name" => service_name,
        "service.version" => version,
        "service.instance.id" => instance_id,
        Protocol::DEPLOYMENT_ATTRIBUTE => @deployment
      }
    end

    def start_span(headers, route, rpc)
      return nil unless @tracer

      parent = OpenTelemetry.propagation.extract(headers || {}, getter: HeaderGetter)
      @tracer.start_span("process #{route.subject}", with_parent: parent, kind: :consumer, attributes: attributes(route, rpc))
    rescue => error
      @logger.warn(msg: "tracing: cannot start a span for #{route.subject}: #{error.message}", err: error)
      nil
    end

    # OpenTelemetry's messaging and RPC semantic conventions.
    def attributes(route, rpc)
      {
        "messaging.system" => "nats",
        "messaging.operation.type" => "process",
        "messaging.operation.name" => "process",
        "messaging.destination.name" => route.subject,
        "messaging.consumer.group.name" => route.queue_group,
        "rpc.system" => Protocol::RPC_SYSTEM,
        "rpc.service" => rpc.service,
        "rpc.method" => rpc.name,
        Protocol::DEPLOYMENT_ATTRIBUTE => @deployment
      }
    end

    # An error reply names its code (error.type); only a server error (5xx) fails the span.
    def finish(span, error)
      if error
        span.set_attribute("error.type", error.code.to_s)
        span.status = OpenTelemetry::Trace::Status.error(error.message) if error.status >= 500
      end
      span.finish
    rescue => failure
      @logger.warn(msg: "tracing: cannot end the span: #{failure.message}", err: failure)
    end
  end
end
