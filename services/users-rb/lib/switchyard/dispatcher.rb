# frozen_string_literal: true

module Switchyard
  # Serves one RPC, on each of its endpoints (Route): decodes the request, calls the handler method,
  # encodes its response, and turns every failure into an error reply, counted on the endpoint the
  # request came in on; all of it in the request's span when tracing is on. Nothing may escape to
  # nats-pure: an exception that is a NATS::Error (a KV timeout, say) would make it stop the whole
  # service.
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

    attr_reader :rpc

    # tracing: NoTracing or OtlpTracing.
    def initialize(rpc:, implementation:, instance_id:, deployment:, logger:, tracing: NoTracing.new)
      @rpc = rpc
      @handler = handler_method(implementation, rpc.handler)
      @instance_id = instance_id
      @deployment = deployment
      @logger = logger
      @tracing = tracing
    end

    def implemented?
      !@handler.nil?
    end

    # route: the endpoint the request came in on, whose $SRV.STATS count its error reply. Known
    # from the route rather than from the request: nats-pure 2.7's Request#endpoint is never set in
    # the Service::Message of later versions.
    def call(request, route)
      @tracing.process(request.header, route: route, rpc: rpc) { serve(request, route) }
    end

    private

    # Returns the ServiceError replied with, or nil.
    def serve(request, route)
      replier = Replier.new(request, stats: route.stats, deployment: @deployment)
      begin
        replier.reply(handle(request))
        nil
      rescue => error
        reply_error(replier, request, route, error)
      end
    end

    # The implementation's own public method, never one every object has (an RPC named Send or
    # Display must not reach Object#send or Kernel#display).
    def handler_method(implementation, name)
      return nil unless implementation.respond_to?(name)

      method = implementation.method(name)
      [Object, Kernel, BasicObject].include?(method.owner) ? nil : method
    end

    def handle(request)
      raise ServiceError.new(:UNIMPLEMENTED, "#{rpc.subject} is not implemented") unless implemented?

      encode(@handler.call(decode(request.data), call_of(request)))
    end

    def call_of(request)
      Call.new(rpc: rpc, instance_id: @instance_id, headers: request.header)
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

    def reply_error(replier, request, route, error)
      unless error.is_a?(ServiceError)
        log(request, "#{route.subject}: #{error.class}: #{error.message}", error)
        error = if UNAVAILABLE_ERRORS.any? { |kind| error.is_a?(kind) }
          ServiceError.new(:UNAVAILABLE, UNAVAILABLE_DESCRIPTION)
        else
          ServiceError.new(:INTERNAL, INTERNAL_DESCRIPTION)
        end
      end
      replier.error(error)
      error
    rescue => failure
      log(request, "#{route.subject}: cannot reply: #{failure.class}: #{failure.message}", failure)
      error
    end

    # An error line about one request, with its request id and trace ids when it has them.
    def log(request, message, error)
      call = call_of(request)
      fields = {reqId: call.request_id, **@tracing.trace_ids(call.traceparent).to_h}.compact
      @logger.error(msg: message, **fields, err: error)
    end
  end
end
