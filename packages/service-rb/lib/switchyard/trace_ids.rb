# frozen_string_literal: true

module Switchyard
  # The trace and span ids a log line about one request carries (trace_id, span_id): those of the
  # active span, or else those of the W3C traceparent header the request came with.
  class TraceIds
    # version-traceid-parentid-flags, lower-case hex; a later version may add fields, 00 may not.
    TRACEPARENT = /\A(?<version>[0-9a-f]{2})-(?<trace_id>[0-9a-f]{32})-(?<span_id>[0-9a-f]{16})-[0-9a-f]{2}(?<rest>-.*)?\z/
    ZEROS = /\A0+\z/

    attr_reader :trace_id, :span_id

    # nil for anything that is not a valid traceparent.
    def self.parse(traceparent)
      match = TRACEPARENT.match(traceparent.to_s)
      return nil if match.nil? || match[:version] == "ff" || (match[:version] == "00" && match[:rest])
      return nil if ZEROS.match?(match[:trace_id]) || ZEROS.match?(match[:span_id])

      new(match[:trace_id], match[:span_id])
    end

    def initialize(trace_id, span_id)
      @trace_id = trace_id
      @span_id = span_id
      freeze
    end

    def to_h
      {trace_id: trace_id, span_id: span_id}
    end
  end
end
