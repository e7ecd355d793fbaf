# frozen_string_literal: true

module Switchyard
  # The streams one instance is sending, and the one subscription their callers' control messages
  # arrive on: `<inbox prefix>.stream.<instance>.*`, under the connection's inbox prefix, the only
  # subjects its credentials let it subscribe to besides its own RPCs (services/README.md, Streaming).
  class StreamControls
    def initialize(client)
      @client = client
      @prefix = "#{inbox_prefix}.#{Protocol::STREAM_SUBJECT_TOKEN}.#{NATS::NUID.next}"
      @streams = {}
      @lock = Mutex.new
      @next = 0
      client.subscribe("#{@prefix}.*") { |msg| control(msg) }
    end

    # A new stream with a control subject of its own; #close it once it has ended.
    def open
      @lock.synchronize do
        id = (@next += 1).to_s(36)
        @streams[id] = OpenStream.new("#{@prefix}.#{id}")
      end
    end

    def close(stream)
      @lock.synchronize { @streams.delete(stream.control_subject.split(".").last) }
    end

    # Stops every open stream (the instance is stopping): each ends with `error`.
    def stop_all(error)
      @lock.synchronize { @streams.values }.each { |stream| stream.stop(error) }
    end

    private

    def control(msg)
      stream = @lock.synchronize { @streams[msg.subject.split(".").last] }
      stream&.control(msg.header)
    end

    # The connection's NATS_INBOX_PREFIX: nats-pure's inboxes are `<prefix>.<nuid>`.
    def inbox_prefix
      @client.new_inbox.sub(/\.[^.]+\z/, "")
    end
  end
end
