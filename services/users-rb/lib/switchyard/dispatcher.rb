# frozen_string_literal: true

module Switchyard
  # Serves one RPC: decodes the request, calls the handler method, encodes its response, and turns
  # every failure into an error reply. Nothing may escape to nats-pure: an exception that is a
  # NATS::Error (a KV timeout, say) would make it stop the whole service.
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

    def initialize(rpc:, implementation:, instance_id:, logger:)
      @rpc = rpc
      @handler = handler_method(implementation, rpc.handler)
      @instance_id = instance_id
      @logger = logger
      @stats = nil
    end

    def implemented?
      !@handler.nil?
    end

    # The endpoint serving this RPC, whose $SRV.STATS count the error replies. Taken from the
    # endpoint rather than from each request: nats-pure 2.7's Request#endpoint is never set in the
    # Service::Message of later versions.
    def attach(endpoint)
      @stats = endpoint.stats
    end

    def call(request)
      Replier.new(request, @stats).reply(handle(request))
    rescue => error
      reply_error(request, error)
    end

    private

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

    def reply_error(request, error)
      unless error.is_a?(ServiceError)
        log_internal(request, error)
        error = if UNAVAILABLE_ERRORS.any? { |kind| error.is_a?(kind) }
          ServiceError.new(:UNAVAILABLE, UNAVAILABLE_DESCRIPTION)
        else
          ServiceError.new(:INTERNAL, INTERNAL_DESCRIPTION)
        end
      end
      Replier.new(request, @stats).error(error)
    rescue => failure
      @logger.error("#{rpc.subject}: cannot reply: #{failure.class}: #{failure.message}")
    end

    def log_internal(request, error)
      request_id = call_of(request).request_id
      where = request_id ? "#{rpc.subject} (request #{request_id})" : rpc.subject
      @logger.error("#{where}: #{error.class}: #{error.message}\n  #{Array(error.backtrace).first(5).join("\n  ")}")
    end
  end
end
