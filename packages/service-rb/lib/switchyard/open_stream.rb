# frozen_string_literal: true

module Switchyard
  # The state of one stream the instance is sending (services/README.md, Streaming): the credit its
  # caller granted, and whether, and why, it must stop early: the caller cancelled, the deadline
  # came, the caller went quiet while the stream waited for credit, or the instance is stopping. The
  # control subscription's thread updates it; the handler's thread waits on it.
  class OpenStream
    # A cumulative ack: a whole number, in decimal.
    ACK = /\A[0-9]{1,15}\z/
    CANCELLED_DESCRIPTION = "the caller cancelled the stream"

    attr_reader :control_subject

    def initialize(control_subject)
      @control_subject = control_subject
      @lock = Mutex.new
      @changed = ConditionVariable.new
      @acked = 0
      @last_control = Deadline.now
      @stop_reason = nil
      @cancelled = false
    end

    # A control message from the caller (its headers): credit (a cumulative ack), or a cancel.
    def control(header)
      @lock.synchronize do
        @last_control = Deadline.now
        if header&.key?(Protocol::STREAM_HEADERS[:cancel])
          @cancelled = true
          stop_locked(ServiceError.new(:CANCELLED, CANCELLED_DESCRIPTION))
        else
          ack = header&.fetch(Protocol::STREAM_HEADERS[:ack], nil)
          @acked = [@acked, Integer(ack, 10)].max if ack.is_a?(String) && ACK.match?(ack)
        end
        @changed.broadcast
      end
    end

    # Stops the stream early with `error` (a ServiceError), unless it stopped already.
    def stop(error)
      @lock.synchronize do
        stop_locked(error)
        @changed.broadcast
      end
    end

    # The ServiceError it stopped early with, or nil while it may go on.
    def stop_reason
      @lock.synchronize { @stop_reason }
    end

    def stopped?
      !stop_reason.nil?
    end

    # Whether the caller cancelled: it is gone, and nothing more is sent, not even the end.
    def cancelled?
      @lock.synchronize { @cancelled }
    end

    # True once message `seq` may be sent (the caller acked seq - STREAM_WINDOW), false when the
    # stream stops first: past the call's deadline, or after STREAM_IDLE_MS without a control
    # message while it waits (the caller repeats its ack while it is there, so it is gone).
    def await_credit(seq, call)
      @lock.synchronize do
        loop do
          return false if @stop_reason
          return stop_locked(ServiceError.new(:DEADLINE_EXCEEDED, Call::DEADLINE_EXCEEDED)) if call.expired?
          return true if seq <= @acked + Protocol::STREAM_WINDOW

          quiet = @last_control + Protocol::STREAM_IDLE_MS / 1000.0 - Deadline.now
          return stop_locked(ServiceError.new(:CANCELLED, "the caller granted no credit for #{Protocol::STREAM_IDLE_MS} ms")) if quiet <= 0

          @changed.wait(@lock, [quiet, call.remaining].compact.min)
        end
      end
    end

    private

    # Returns false, for await_credit.
    def stop_locked(error)
      @stop_reason ||= error
      false
    end
  end
end
