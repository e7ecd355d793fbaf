# frozen_string_literal: true

module Switchyard
  # The wire constants every Switchyard service shares, whatever its language. They mirror
  # packages/protocol/src (headers.ts, metadata.ts, descriptors.ts, deployment.ts, error-codes.ts);
  # test/protocol_test.rb checks they agree.
  module Protocol
    LANGUAGE = "ruby"
    # The SDK's default deployment is the service name with this suffix: users-rb.
    DEPLOYMENT_SUFFIX = "rb"

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
      # On a copy of a request a traffic policy's shadow sent: candidate or noise. Its reply is
      # compared, never returned to the client.
      shadow: "Switchyard-Shadow",
      # On every reply, success or error: the deployment of the instance that answered.
      deployment: "Switchyard-Deployment",
      # On a success reply: the HTTP status to answer with (2xx or 3xx) instead of 200.
      http_status: "Switchyard-Http-Status",
      # On a success reply: Switchyard-Http-Header-Location becomes the HTTP header Location.
      http_header_prefix: "Switchyard-Http-Header-",
      # On every request the gateway sends: how many milliseconds it will still wait for the reply,
      # counted from when the service receives it. A service stops work past it (Deadline).
      timeout_ms: "Switchyard-Timeout-Ms",
      # On a request whose client presented a JWT the gateway verified: its `sub` claim. Set only by
      # the gateway; no client header can produce it (only Switchyard-Meta-* headers pass).
      auth_subject: "Switchyard-Auth-Subject",
      # On a request the gateway sends for an HTTP request with an Idempotency-Key: an opaque token
      # (64 hex digits) naming the operation, the same on every retry of it through any gateway. A
      # service may use it to apply a write at most once.
      idempotency_key: "Switchyard-Idempotency-Key",
      # With auth_subject: every verified claim, as compact JSON (non-ASCII escaped as \uXXXX).
      auth_claims: "Switchyard-Auth-Claims"
    }.freeze

    # Keys of the NATS micro service metadata every Switchyard service sets (metadata.ts).
    METADATA = {
      # The implementation language: typescript, ruby, ...
      language: "language",
      # The contract's proto package: users.v1.
      contract: "contract",
      # The deployment the instance belongs to (SWITCHYARD_DEPLOYMENT, or the SDK's default).
      deployment: "deployment",
      # The build revision (BUILD_REVISION), when known.
      revision: "revision",
      # Where the instance answers with its contract's descriptor set (DescriptorSet#subject).
      descriptors: "switchyard.descriptors",
      # The digest of that descriptor set.
      contract_digest: "switchyard.contract_digest",
      # The server_name of the nats-server the instance registered through: on a cluster, which node
      # it is on. A reconnect may move it; the name stays the one it registered with.
      nats_server: "switchyard.nats_server"
    }.freeze

    # An instance answers on `<prefix>.<digest>` with its contract's descriptor set (descriptors.ts).
    DESCRIPTORS_SUBJECT_PREFIX = "switchyard.descriptors"

    # A deployment's name is a subject token, an endpoint name and a queue group at once, so it keeps
    # to the characters all three allow (deployment.ts).
    DEPLOYMENT_NAME = /\A[A-Za-z0-9][A-Za-z0-9_-]{0,63}\z/
    # An instance serves each RPC for its deployment alone on `<prefix>.<deployment>.<RPC subject>`.
    DEPLOYMENT_SUBJECT_PREFIX = "switchyard.deployment"

    # Server streaming (streaming.ts; services/README.md, Streaming): the service answers one request
    # with numbered messages to its reply subject, then an end-of-stream message with the outcome;
    # the caller grants credit and cancels on a control subject the service names.
    STREAM_HEADERS = {
      # On each message of the stream: its number, 1, 2, 3, ...
      seq: "Switchyard-Stream-Seq",
      # On the end-of-stream message (empty body): how many messages came before it. An error end
      # carries the error headers as a unary error reply does.
      end_of_stream: "Switchyard-Stream-End",
      # On the first message the service sends (a message or the end): the control subject.
      control: "Switchyard-Stream-Control",
      # On a control message: the caller took every message up to this number, so the service may
      # send up to this number plus STREAM_WINDOW. Repeated as a heartbeat while the stream is open.
      ack: "Switchyard-Stream-Ack",
      # On a control message: the caller is gone; the service stops and sends nothing more.
      cancel: "Switchyard-Stream-Cancel"
    }.freeze
    # Messages a service may send beyond the last one acknowledged; the first ones need no ack.
    STREAM_WINDOW = 16
    # A service that waited this long for credit without any control message stops the stream: the
    # caller repeats its last ack every 2 s while it is there, so it is gone.
    STREAM_IDLE_MS = 6_000
    # The token after an inbox prefix that marks stream subjects: a service's control subjects are
    # `<its inbox prefix>.stream.<instance>.<stream>`, the caller's reply subjects
    # `<its inbox prefix>.stream.<package>.<Service>.<id>`.
    STREAM_SUBJECT_TOKEN = "stream"

    # Spans: rpc.system of a Switchyard RPC, and the attribute (span and resource) naming the
    # deployment.
    RPC_SYSTEM = "switchyard"
    DEPLOYMENT_ATTRIBUTE = "switchyard.deployment"

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
