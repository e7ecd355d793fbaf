# frozen_string_literal: true

require "json"
require "socket"

module Switchyard
  # Formats a Logger entry as pino does: {"level":30,"time":<epoch ms>,"pid":..,"hostname":..,
  # "name":"users-rb","msg":".."}. The message is a String, an Exception (its message, plus `err`),
  # or a Hash of more fields with the text under :msg: per-request fields (reqId, trace_id,
  # span_id) and `err:` an exception, which is serialized as pino's err serializer does
  # ({"type":..,"message":..,"stack":..}).
  class LogFormatter
    # pino's numeric levels; Logger has no trace (10), and its UNKNOWN ("ANY") is above fatal.
    LEVELS = {"DEBUG" => 20, "INFO" => 30, "WARN" => 40, "ERROR" => 50, "FATAL" => 60, "ANY" => 60}.freeze

    def initialize(hostname: Socket.gethostname)
      @hostname = hostname
    end

    def call(severity, time, progname, message)
      entry = {level: LEVELS.fetch(severity, 60), time: (time.to_r * 1000).floor, pid: Process.pid, hostname: @hostname}
      entry[:name] = progname if progname
      "#{JSON.generate(utf8(entry.merge(fields(message))))}\n"
    rescue => error # a log line must never fail what it reports on
      "#{JSON.generate(level: 50, time: (Time.now.to_r * 1000).floor, msg: "cannot format a log line: #{error.class}")}\n"
    end

    private

    # msg last, as pino writes it.
    def fields(message)
      case message
      when Hash
        fields = message.transform_keys(&:to_sym)
        text = fields.delete(:msg)
        fields[:err] = serialize(fields[:err]) if fields[:err].is_a?(Exception)
        fields.merge(msg: text.to_s)
      when Exception then {err: serialize(message), msg: message.message}
      else {msg: message.to_s}
      end
    end

    def serialize(error)
      {type: error.class.name, message: error.message, stack: error.full_message(highlight: false, order: :top).chomp}
    end

    # JSON wants UTF-8, but nats-pure hands header values (a request id) over as binary strings, and
    # client text may be anything: bytes that are not UTF-8 become U+FFFD.
    def utf8(value)
      case value
      when Hash then value.to_h { |key, item| [key, utf8(item)] }
      when Array then value.map { |item| utf8(item) }
      when String then value.dup.force_encoding(Encoding::UTF_8).scrub
      when Numeric, true, false, nil then value
      else utf8(value.to_s)
      end
    end
  end
end
