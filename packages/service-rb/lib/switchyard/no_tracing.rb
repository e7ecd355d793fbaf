# frozen_string_literal: true

module Switchyard
  # Tracing switched off: requests run as they are, and their log lines take the trace ids from the
  # traceparent the request came with. OtlpTracing has the same methods.
  class NoTracing
    def start(**)
      self
    end

    def process(_headers, **)
      yield
    end

    def trace_ids(traceparent)
      TraceIds.parse(traceparent)
    end

    def shutdown
    end
  end
end
