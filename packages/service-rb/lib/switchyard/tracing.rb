# frozen_string_literal: true

module Switchyard
  # Whether this process exports spans, decided from the standard OpenTelemetry variables: only
  # when an OTLP endpoint is set (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT),
  # OTEL_TRACES_EXPORTER is not `none` and OTEL_SDK_DISABLED is not `true`. Otherwise the
  # OpenTelemetry gems are not even loaded, so requests pay nothing for tracing.
  module Tracing
    ENDPOINT_VARIABLES = %w[OTEL_EXPORTER_OTLP_TRACES_ENDPOINT OTEL_EXPORTER_OTLP_ENDPOINT].freeze

    def self.enabled?(env = ENV)
      return false if env["OTEL_TRACES_EXPORTER"].to_s.strip.casecmp?("none")
      return false if env["OTEL_SDK_DISABLED"].to_s.strip.casecmp?("true")

      ENDPOINT_VARIABLES.any? { |name| !env[name].to_s.strip.empty? }
    end

    # logger: where the OpenTelemetry SDK reports its own troubles (an export that fails, say).
    def self.from_env(logger:, env: ENV)
      enabled?(env) ? OtlpTracing.new(logger: logger, env: env) : NoTracing.new
    end
  end
end
