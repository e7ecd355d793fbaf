# frozen_string_literal: true

module Switchyard
  # nats-pure 2.7.0 (the newest release) loses the wake-up of a request whose reply comes fast:
  # Client#request_msg publishes, and only then waits on the reply's condition variable. A reply
  # that arrives in between is stored and signalled to nobody, and the caller waits out its whole
  # timeout (seen as 5 s NATS::IO::Timeout on KV calls under load, with the reply long there).
  # This is request_msg with one change: it waits only while no reply is stored, and checks under
  # the same lock the reply's signal takes, so the check and the wait cannot miss it. Plain
  # requests go through it too. Remove it once nats-pure waits correctly
  # (docs/nats-pure-request-wakeup.md has the reproduction).
  #
  # It goes on single clients, never on NATS::IO::Client: Runner puts it on the two connections it
  # opens, and code with clients of its own may put it on them.
  module RequestWakeupFix
    PATCHED_VERSION = "2.7.0"

    # Returns the client, fixed. Refuses another nats-pure rather than patch it blindly.
    def self.apply(client)
      unless NATS::IO::VERSION == PATCHED_VERSION
        raise NotImplementedError, "Switchyard::RequestWakeupFix is written for nats-pure #{PATCHED_VERSION}, not " \
          "#{NATS::IO::VERSION}: check whether the new version still loses request wake-ups, then update or drop it"
      end

      client.extend(self)
    end

    def request(subject, payload = "", **opts, &blk)
      return super if blk || opts[:old_style]

      request_msg(NATS::Msg.new(subject: subject, data: payload, header: opts[:header]), **opts)
    end

    def request_msg(msg, **opts)
      raise TypeError, "nats: expected NATS::Msg, got #{msg.class.name}" unless msg.is_a?(NATS::Msg)
      raise NATS::IO::BadSubject if !msg.subject || msg.subject.empty?

      timeout = opts[:timeout] ||= 0.5
      token, future = register_request
      msg.reply = "#{@resp_sub_prefix}.#{token}"
      msg.data ||= ""
      publish_msg(msg)
      response = await_response(token, future, timeout)
      raise NATS::IO::NoRespondersError if response.header&.fetch(NATS::Client::STATUS_HDR, nil) == "503"

      response
    end

    private

    def register_request
      synchronize do
        start_resp_mux_sub! unless @resp_sub_prefix
        token = @nuid.next
        future = @resp_sub.new_cond
        @resp_map[token][:future] = future
        [token, future]
      end
    end

    def await_response(token, future, timeout)
      deadline = NATS::MonotonicTime.now + timeout
      @resp_sub.synchronize do
        loop do
          break if synchronize { @resp_map[token][:response] }

          remaining = deadline - NATS::MonotonicTime.now
          raise NATS::Timeout, "nats: timeout" if remaining <= 0

          future.wait(remaining)
        end
      end
      synchronize { @resp_map.delete(token)[:response] }
    rescue NATS::Timeout
      synchronize { @resp_map.delete(token) }
      raise
    end
  end
end
