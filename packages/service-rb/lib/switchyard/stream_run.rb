# frozen_string_literal: true

module Switchyard
  # Runs the handler of a server-streaming RPC (services/README.md, Streaming). The handler yields
  # each message of the stream to the block it is given; a handler that never yields may instead
  # return an Enumerator (or any Enumerable), which is iterated. Each message is sent once the
  # caller's credit allows it. When the stream stops early (the caller cancelled or went quiet, the
  # deadline came, the instance is stopping) the yield does not return: the handler is unwound
  # with throw, its ensure clauses run, and no `rescue` of its own can catch it.
  class StreamRun
    STOPPED = Object.new.freeze

    def initialize(rpc, handler)
      @rpc = rpc
      @handler = handler
    end

    # request: the decoded message; call: its Call; stream: its OpenStream; replier: its
    # StreamReplier. Returns nil once the handler is done, or the ServiceError the stream stopped
    # early with.
    def run(request, call, stream, replier)
      yielded = false
      finished = catch(STOPPED) do
        result = @handler.call(request, call) do |message|
          yielded = true
          deliver(message, call, stream, replier)
        end
        result.each { |message| deliver(message, call, stream, replier) } if !yielded && result.is_a?(Enumerable)
        true
      end
      finished ? nil : stream.stop_reason
    end

    private

    def deliver(message, call, stream, replier)
      unless message.is_a?(@rpc.response_class)
        raise TypeError, "#{@rpc.handler} yielded #{message.class}, not #{@rpc.response_class}"
      end
      throw STOPPED unless stream.await_credit(replier.sent + 1, call)

      replier.message(@rpc.response_class.encode(message))
    end
  end
end
