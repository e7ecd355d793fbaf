# frozen_string_literal: true

module Switchyard
  # What a handler knows about the request it serves, besides the decoded message.
  class Call
    DEADLINE_EXCEEDED = "deadline exceeded"
    # Switchyard-Idempotency-Key as the gateway makes it: a SHA-256 in lowercase hex.
    IDEMPOTENCY_KEY = /\A[0-9a-f]{64}\z/

    attr_reader :rpc, :instance_id, :deployment, :headers

    # deployment: the name of the deployment the instance belongs to. deadline: the request's
    # Deadline, or nil. malformed_auth: told why auth headers are no identity (MalformedAuthLog).
    # stream: the OpenStream of a server-streaming RPC, else nil.
    def initialize(rpc:, instance_id:, headers:, deployment: nil, deadline: nil, malformed_auth: ->(_reason) {}, stream: nil)
      @rpc = rpc
      @instance_id = instance_id
      @deployment = deployment
      @headers = headers
      @deadline = deadline
      @malformed_auth = malformed_auth
      @stream = stream
    end

    # What the success reply carries for the gateway besides the response: the HTTP status and
    # headers a handler asked for (#respond_with). Empty until one asks.
    def reply_headers
      @reply_headers ||= {}
    end

    # Asks the gateway to answer a success with this HTTP status (2xx or 3xx) and these headers
    # (the TypeScript SDK's respondWith): respond_with(status: 201, headers: {"Location" => "/items/1"}).
    # An error reply carries neither. A header value is one line: control characters become spaces.
    def respond_with(status: nil, headers: {})
      reply_headers[Protocol::HEADERS[:http_status]] = status.to_s if status
      headers.each do |name, value|
        reply_headers["#{Protocol::HEADERS[:http_header_prefix]}#{name}"] = value.to_s.gsub(Replier::CONTROL, " ")
      end
      nil
    end

    def request_id
      headers&.fetch(Protocol::HEADERS[:request_id], nil)
    end

    def traceparent
      headers&.fetch(Protocol::HEADERS[:traceparent], nil)
    end

    # A client header the gateway let through: metadata("tenant") reads Switchyard-Meta-Tenant.
    # Header names know no case (the gateway sends the suffix in lower case). Only names under the
    # prefix: the gateway's own headers (Switchyard-Auth-*) are never metadata.
    def metadata(name)
      wanted = "#{Protocol::HEADERS[:metadata_prefix]}#{name}".downcase
      headers&.each { |key, value| return value if key.downcase == wanted }
      nil
    end

    # The operation this request performs, when the gateway sent it for an HTTP request with an
    # Idempotency-Key (Switchyard-Idempotency-Key): 64 lowercase hex digits, the same on every retry
    # of the operation through any gateway, and different for any other client, route, key or
    # payload. A handler of a write that is not idempotent should apply it at most once per token
    # (create the record under a key derived from it, say). nil without one, or with a value of any
    # other form.
    def idempotency_key
      value = headers&.fetch(Protocol::HEADERS[:idempotency_key], nil)
      value if value.is_a?(String) && IDEMPOTENCY_KEY.match?(value)
    end

    # When the caller stops waiting (a Time): Switchyard-Timeout-Ms counted from the request's
    # receipt. nil without one (or with a malformed one): no deadline.
    def deadline
      @deadline&.time
    end

    # Seconds left before the deadline (0.0 once it has come), or nil without one.
    def remaining
      @deadline&.remaining
    end

    # Whether the deadline has come (0 ms left is late); false without one.
    def expired?
      @deadline ? @deadline.expired? : false
    end

    # Raises DEADLINE_EXCEEDED (a ServiceError) when the deadline has come. A handler calls it before
    # each write that leads up to a change, undoing what it wrote so far when it raises, and between
    # the steps of long work. Once the change is made it finishes it and replies its outcome, late or
    # not: a write that happened is never reported as failed.
    def check_deadline!
      raise ServiceError.new(:DEADLINE_EXCEEDED, DEADLINE_EXCEEDED) if expired?
    end

    # Whether the stream of a server-streaming RPC stopped early: the caller cancelled or granted no
    # credit for too long, the deadline came, or the instance is stopping. The handler's next yield
    # stops it anyway; a handler that waits on something else between yields checks this. false
    # for a unary RPC.
    def cancelled?
      @stream ? @stream.stopped? : false
    end

    # The caller the gateway verified (an Auth: subject and claims), or nil when the request carries
    # no verified identity.
    def auth
      return @auth if defined?(@auth)

      @auth = Auth.from_headers(headers, malformed: @malformed_auth)
    end
  end
end
