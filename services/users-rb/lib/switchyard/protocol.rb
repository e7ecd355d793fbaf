# frozen_string_literal: true

module Switchyard
  # The wire constants every Switchyard service shares, whatever its language. They mirror
  # packages/protocol/src (headers.ts, error-codes.ts); test/protocol_test.rb checks they agree.
  module Protocol
    LANGUAGE = "ruby"

    HEADERS = {
      # NATS micro convention: the error's description.
      service_error: "Nats-Service-Error",
      # NATS micro convention: the error's numeric code; Switchyard sends the HTTP status of the code.
      service_error_code: "Nats-Service-Error-Code",
      # The stable error code name, a key of ERROR_CODES (e.g. ALREADY_EXISTS).
      error_reason: "Switchyard-Error-Reason",
      # The request field at fault, as a path of proto field names from the request (user.email).
      error_field: "Switchyard-Error-Field",
      # Correlates one HTTP request with the service's logs.
      request_id: "Switchyard-Request-Id",
      # W3C trace context, forwarded (or started) by the gateway.
      traceparent: "traceparent",
      tracestate: "tracestate",
      # Client headers with this prefix reach the service under the same name; no other does.
      metadata_prefix: "Switchyard-Meta-",
      # On a success reply: the HTTP status to answer with (2xx or 3xx) instead of 200.
      http_status: "Switchyard-Http-Status",
      # On a success reply: Switchyard-Http-Header-Location becomes the HTTP header Location.
      http_header_prefix: "Switchyard-Http-Header-"
    }.freeze

    # Keys of the NATS micro service metadata every Switchyard service sets (metadata.ts).
    METADATA = {
      # The implementation language: typescript, ruby, ...
      language: "language",
      # The contract's proto package: users.v1.
      contract: "contract",
      # The build revision (BUILD_REVISION), when known.
      revision: "revision",
      # Where the instance answers with its contract's descriptor set (DescriptorSet#subject).
      descriptors: "switchyard.descriptors",
      # The digest of that descriptor set.
      contract_digest: "switchyard.contract_digest"
    }.freeze

    # An instance answers on `<prefix>.<digest>` with its contract's descriptor set (descriptors.ts).
    DESCRIPTORS_SUBJECT_PREFIX = "switchyard.descriptors"

    # Error code name => HTTP status, the same table as grpc-gateway's.
    ERROR_CODES = {
      INVALID_ARGUMENT: 400,
      FAILED_PRECONDITION: 400,
      OUT_OF_RANGE: 400,
      UNAUTHENTICATED: 401,
      PERMISSION_DENIED: 403,
      NOT_FOUND: 404,
      ALREADY_EXISTS: 409,
      ABORTED: 409,
      RESOURCE_EXHAUSTED: 429,
      CANCELLED: 499,
      INTERNAL: 500,
      UNKNOWN: 500,
      DATA_LOSS: 500,
      UNIMPLEMENTED: 501,
      UNAVAILABLE: 503,
      DEADLINE_EXCEEDED: 504
    }.freeze
  end
end
