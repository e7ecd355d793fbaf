# frozen_string_literal: true

require_relative "lib/switchyard/version"

Gem::Specification.new do |spec|
  spec.name = "switchyard-service"
  spec.version = Switchyard::VERSION
  spec.summary = "Serve a Protobuf service contract over NATS for the Switchyard gateway"
  spec.description = "Switchyard's service SDK for Ruby: a Protobuf service's handlers served as a NATS micro " \
    "service (nats-pure's services API), one endpoint per RPC, with Switchyard's error headers, deadlines, " \
    "deployments, streams, JSON logs and optional OpenTelemetry tracing."
  spec.authors = ["Switchyard"]
  spec.required_ruby_version = ">= 3.1"
  spec.files = Dir["lib/**/*.rb", "docs/*", "README.md"]
  spec.require_paths = ["lib"]

  spec.add_dependency "nats-pure", "2.7.0"
  # nats-pure signs with it when NATS_CREDS names a credentials file.
  spec.add_dependency "nkeys", "~> 0.1"
  # Generated code must come from a protoc of the same release (grpc-tools 1.76 ships protoc 31.1).
  spec.add_dependency "google-protobuf", "~> 4.31.1"
  # The contract's field rules (buf.validate), checked on every request before its handler runs
  # (packages/protovalidate-rb; the official protovalidate gem needs Ruby >= 3.3).
  spec.add_dependency "switchyard-protovalidate", "~> 0.1"
  # Tracing, loaded only when an OTLP endpoint is configured (Switchyard::Tracing).
  spec.add_dependency "opentelemetry-sdk", "~> 1.10"
  spec.add_dependency "opentelemetry-exporter-otlp", "~> 0.32"
end
