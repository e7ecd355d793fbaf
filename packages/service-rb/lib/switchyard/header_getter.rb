# frozen_string_literal: true

module Switchyard
  # Reads the trace context from a request's NATS headers for an OpenTelemetry propagator. Header
  # names know no case, and nats-pure keeps them as they were sent.
  module HeaderGetter
    def self.get(headers, key)
      headers.each { |name, value| return value if name.casecmp?(key) }
      nil
    end

    def self.keys(headers)
      headers.keys
    end
  end
end
