# frozen_string_literal: true

module Switchyard
  # When the caller of one request stops waiting: its Switchyard-Timeout-Ms (a whole number of
  # milliseconds, at most 10 digits) counted from when the instance received it. A malformed value
  # is no deadline, as a missing one is; nothing is logged (a header is per request). Times are on
  # the monotonic clock; #time gives the wall-clock Time for people and logs.
  class Deadline
    TIMEOUT_MS = /\A[0-9]{1,10}\z/

    # headers: the request's, or nil. received_at: its receipt, on the monotonic clock. nil when the
    # request has no deadline.
    def self.from_headers(headers, received_at:)
      value = headers&.fetch(Protocol::HEADERS[:timeout_ms], nil)
      return nil unless value.is_a?(String) && TIMEOUT_MS.match?(value)

      new(received_at + Integer(value, 10) / 1000.0)
    end

    def self.now
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end

    # at: the monotonic time it comes.
    def initialize(at)
      @at = at
      freeze
    end

    # Seconds left, 0.0 once it has come.
    def remaining
      [@at - Deadline.now, 0.0].max
    end

    # 0 ms left is late.
    def expired?
      Deadline.now >= @at
    end

    def time
      Time.now + (@at - Deadline.now)
    end
  end
end
