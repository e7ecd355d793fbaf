# frozen_string_literal: true

module Support
  # One stream as its caller sees it (services/README.md, Streaming): the messages that came, in
  # order, and the control messages it may send.
  class StreamClient
    HEADERS = Switchyard::Protocol::STREAM_HEADERS

    attr_reader :messages

    # Sends the request `data` on `subject` with a reply subject of its own.
    def initialize(client, subject, data, header: {})
      @client = client
      @messages = []
      @lock = Mutex.new
      @arrived = ConditionVariable.new
      inbox = client.new_inbox
      @subscription = client.subscribe(inbox) do |msg|
        @lock.synchronize do
          @messages << msg
          @arrived.broadcast
        end
      end
      client.publish(subject, data, inbox, header: header)
    end

    # The first `count` messages, once they came; fails after `timeout` seconds.
    def receive(count, timeout: 2)
      deadline = Switchyard::Deadline.now + timeout
      @lock.synchronize do
        while @messages.size < count
          left = deadline - Switchyard::Deadline.now
          raise Minitest::Assertion, "#{@messages.size} of #{count} messages came within #{timeout} s" if left <= 0

          @arrived.wait(@lock, left)
        end
        @messages.first(count)
      end
    end

    # Every message up to the end of the stream, acking each as it comes.
    def to_end(timeout: 5)
      (1..).each do |n|
        msg = receive(n, timeout: timeout).last
        return messages.first(n) if end?(msg)

        ack(n)
      end
    end

    def count
      @lock.synchronize { @messages.size }
    end

    def end?(msg)
      msg.header&.key?(HEADERS[:end_of_stream])
    end

    def ack(seq)
      @client.publish(control, "", header: {HEADERS[:ack] => seq.to_s})
    end

    def cancel
      @client.publish(control, "", header: {HEADERS[:cancel] => "1"})
    end

    def control
      @lock.synchronize { @messages.first&.header&.fetch(HEADERS[:control], nil) } || raise(Minitest::Assertion, "no control subject yet")
    end

    def close
      @subscription.unsubscribe
    end
  end
end
