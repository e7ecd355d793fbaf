# frozen_string_literal: true

module Switchyard
  # Serves one RPC, on each of its endpoints (Route): decodes the request, checks it against the
  # contract's field rules (RequestRules: INVALID_ARGUMENT naming the field), calls the handler method,
  # encodes its response, and turns every failure into an error reply, counted on the endpoint the
  # request came in on; all of it in the request's span when tracing is on. Nothing may escape to
  # nats-pure: an exception that is a NATS::Error (a KV timeout, say) would make it stop the whole
  # service.
  #
  # Deadlines: a request whose deadline (Switchyard-Timeout-Ms from its arrival, queueing included)
  # has come before its handler starts is answered DEADLINE_EXCEEDED and not run. A handler that ends
  # past it is answered DEADLINE_EXCEEDED, whatever it said, only when its RPC is declared
  # NO_SIDE_EFFECTS (it cannot have written); any other handler's outcome stands, late or not: only
  # the handler knows whether it wrote (it stops itself before a write past the deadline,
  # Call#check_deadline!), and a write that happened must not be reported as failed.
  #
  # A server-streaming RPC answers with its stream (StreamRun, StreamReplier): its messages, then its
  # end, which carries a failure as an error reply does. A stream the caller cancelled ends silently
  # (the caller is gone) and is logged.
  class Dispatcher
    INTERNAL_DESCRIPTION = "internal error"
    # NATS or JetStream briefly out of reach (a restart, a reconnect): a retry may well succeed, so
    # these are UNAVAILABLE (503), as in the TypeScript SDK, not INTERNAL.
    UNAVAILABLE_ERRORS = [
      NATS::IO::Timeout,
      NATS::IO::ConnectionClosedError,
      NATS::IO::NoRespondersError,
      NATS::JetStream::Error::ServiceUnavailable,
      NATS::JetStream::Error::NoStreamResponse
    ].freeze
    UNAVAILABLE_DESCRIPTION = "a backing system is unavailable; retry shortly"
    NOT_STARTED_DESCRIPTION = "deadline exceeded before the request was handled"

    attr_reader :rpc

    # tracing: NoTracing or OtlpTracing. arrivals: when requests arrived (Arrivals), nil for "when
    # the handler thread takes it". malformed_auth: told about auth headers that are no identity.
    # streams: the instance's StreamControls, for a server-streaming RPC.
    def initialize(rpc:, implementation:, instance_id:, deployment:, logger:, tracing: NoTracing.new, arrivals: nil,
      malformed_auth: MalformedAuthLog.new(logger), streams: nil)
      @rpc = rpc
      @handler = handler_method(implementation, rpc.handler)
      @instance_id = instance_id
      @deployment = deployment
      @logger = logger
      @tracing = tracing
      @arrivals = arrivals
      @malformed_auth = malformed_auth
      @side_effect_free = SideEffects.none?(rpc)
      @rules = prepare_rules
      return unless rpc.server_streaming
      raise ArgumentError, "#{rpc.subject} streams: its Dispatcher needs the instance's StreamControls" unless streams

      @streams = streams
      @stream_run = StreamRun.new(rpc, @handler)
    end

    def implemented?
      !@handler.nil?
    end

    # route: the endpoint the request came in on, whose $SRV.STATS count its error reply. Known
    # from the route rather than from the request: nats-pure 2.7's Request#endpoint is never set in
    # the Service::Message of later versions.
    def call(request, route)
      stream = @streams&.open
      call = call_of(request, stream)
      @tracing.process(request.header, route: route, rpc: rpc) do
        stream ? serve_stream(request, route, call, stream) : serve(request, route, call)
      end
    ensure
      @streams&.close(stream) if stream
    end

    private

    # Returns the ServiceError replied with, or nil.
    def serve(request, route, call)
      replier = Replier.new(request, stats: route.stats, deployment: @deployment)
      begin
        replier.reply(handle(request, call), call.reply_headers)
        nil
      rescue => error
        reply_error(replier, call, route, error)
      end
    end

    # Returns the ServiceError the stream ended with, or nil.
    def serve_stream(request, route, call, stream)
      replier = StreamReplier.new(Replier.new(request, stats: route.stats, deployment: @deployment), stream, call)
      begin
        stopped = @stream_run.run(start(request, call), call, stream, replier)
        return cancelled(call, replier, stopped) if stopped && stream.cancelled?
        raise stopped if stopped

        replier.finish
        nil
      rescue => error
        reply_error(replier, call, route, error)
      end
    end

    # The caller went away: nothing is sent, not even the end.
    def cancelled(call, replier, error)
      fields = {reqId: call.request_id, **@tracing.trace_ids(call.traceparent).to_h}.compact
      @logger.info(msg: "#{rpc.subject}: stream cancelled by the caller after #{replier.sent} messages", **fields)
      error
    end

    # The implementation's own public method, never one every object has (an RPC named Send or
    # Display must not reach Object#send or Kernel#display).
    def handler_method(implementation, name)
      return nil unless implementation.respond_to?(name)

      method = implementation.method(name)
      [Object, Kernel, BasicObject].include?(method.owner) ? nil : method
    end

    def handle(request, call)
      response = @handler.call(start(request, call), call)
      raise ServiceError.new(:DEADLINE_EXCEEDED, Call::DEADLINE_EXCEEDED) if late_read?(call)

      encode(response)
    end

    # The decoded request, once it is known the handler may run: the RPC is implemented (and
    # servable: a client-streaming RPC is not) and its deadline has not come.
    def start(request, call)
      raise ServiceError.new(:UNIMPLEMENTED, "#{rpc.subject} is not implemented") unless implemented? && rpc.servable?
      raise ServiceError.new(:DEADLINE_EXCEEDED, NOT_STARTED_DESCRIPTION) if call.expired?

      check_rules(decode(request.data), call)
    end

    # The request's rules compiled now, not on its first request. A rule switchyard-protovalidate
    # cannot compile leaves the RPC's requests unchecked, as @bufbuild/protovalidate's "error"
    # result leaves them in the TypeScript SDK: the handler decides. Said once, here.
    def prepare_rules
      RequestRules.prepare(rpc.request_class)
      true
    rescue Protovalidate::Error => error
      @logger.error("#{rpc.subject}: the field rules of #{rpc.request_type} are not checked: #{error.message}")
      false
    end

    # The decoded request, within its field rules; the first rule broken is raised. A rule that
    # fails to evaluate on this request does not refuse it (the handler decides): it is logged.
    def check_rules(message, call)
      return message unless @rules

      violation = begin
        RequestRules.violation(message)
      rescue Protovalidate::Error => error
        fields = {reqId: call.request_id, **@tracing.trace_ids(call.traceparent).to_h}.compact
        @logger.warn(msg: "#{rpc.subject}: a field rule could not be checked: #{error.message}", **fields)
        nil
      end
      raise violation if violation

      message
    end

    def call_of(request, stream)
      received_at = @arrivals ? @arrivals.of(request) : Deadline.now
      Call.new(
        rpc: rpc, instance_id: @instance_id, deployment: @deployment, headers: request.header,
        deadline: Deadline.from_headers(request.header, received_at: received_at), malformed_auth: @malformed_auth,
        stream: stream
      )
    end

    # A request of an RPC without side effects whose deadline has come: its reply is of no use.
    def late_read?(call)
      @side_effect_free && call.expired?
    end

    def decode(data)
      rpc.request_class.decode(data.to_s)
    rescue Google::Protobuf::ParseError
      raise ServiceError.new(:INVALID_ARGUMENT, "request is not a valid #{rpc.request_type}")
    end

    def encode(response)
      unless response.is_a?(rpc.response_class)
        raise TypeError, "#{rpc.handler} returned #{response.class}, not #{rpc.response_class}"
      end

      rpc.response_class.encode(response)
    end

    def reply_error(replier, call, route, error)
      unless error.is_a?(ServiceError)
        log(call, "#{route.subject}: #{error.class}: #{error.message}", error)
        error = if UNAVAILABLE_ERRORS.any? { |kind| error.is_a?(kind) }
          ServiceError.new(:UNAVAILABLE, UNAVAILABLE_DESCRIPTION)
        else
          ServiceError.new(:INTERNAL, INTERNAL_DESCRIPTION)
        end
      end
      error = ServiceError.new(:DEADLINE_EXCEEDED, Call::DEADLINE_EXCEEDED) if late_read?(call) && error.code != :DEADLINE_EXCEEDED
      replier.error(error)
      error
    rescue => failure
      log(call, "#{route.subject}: cannot reply: #{failure.class}: #{failure.message}", failure)
      error
    end

    # An error line about one request, with its request id and trace ids when it has them.
    def log(call, message, error)
      fields = {reqId: call.request_id, **@tracing.trace_ids(call.traceparent).to_h}.compact
      @logger.error(msg: message, **fields, err: error)
    end
  end
end
