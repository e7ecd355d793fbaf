# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Log: a stdlib Logger writing pino's JSON lines.
class LogTest < Minitest::Test
  def setup
    @io = StringIO.new
    @logger = Switchyard::Log.new(@io, progname: "echo-rb")
  end

  def entries
    @io.string.lines.map { |line| JSON.parse(line) }
  end

  def test_a_line_has_pino_s_fields_in_pino_s_order
    before = (Time.now.to_r * 1000).floor
    @logger.info("started")
    entry = entries.first

    assert_equal %w[level time pid hostname name msg], entry.keys
    assert_equal [30, Process.pid, Socket.gethostname, "echo-rb", "started"], entry.values_at("level", "pid", "hostname", "name", "msg")
    assert_includes before..(Time.now.to_r * 1000).ceil, entry["time"]
    assert_equal 1, @io.string.lines.size
  end

  def test_levels_are_pino_s_numbers
    @logger.level = Logger::DEBUG
    @logger.debug("d")
    @logger.info("i")
    @logger.warn("w")
    @logger.error("e")
    @logger.fatal("f")
    @logger.unknown("u")

    assert_equal [20, 30, 40, 50, 60, 60], entries.map { |e| e["level"] }
  end

  def test_per_request_fields_come_before_msg
    @logger.warn(msg: "slow", reqId: "req-1", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736", span_id: "00f067aa0ba902b7")

    entry = entries.first
    assert_equal %w[level time pid hostname name reqId trace_id span_id msg], entry.keys
    assert_equal ["req-1", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "slow"],
      entry.values_at("reqId", "trace_id", "span_id", "msg")
  end

  def test_an_exception_is_serialized_as_pino_s_err
    error = begin
      raise ArgumentError, "bad thing"
    rescue => e
      e
    end
    @logger.error(msg: "it failed", err: error)
    @logger.error(error)

    with_msg, alone = entries
    [with_msg, alone].each do |entry|
      assert_equal ["ArgumentError", "bad thing"], entry["err"].values_at("type", "message")
      assert_match(/bad thing \(ArgumentError\)\n\tfrom /, entry["err"]["stack"])
      assert_includes entry["err"]["stack"], "#{__FILE__}:"
    end
    assert_equal ["it failed", "bad thing"], [with_msg["msg"], alone["msg"]]
  end

  def test_bytes_that_are_not_utf8_do_not_break_the_line
    @logger.info(msg: "caf\xC3\xA9 \xFF".b, reqId: "r\xFE".b)

    entry = entries.first
    assert_equal ["café \uFFFD", "r\uFFFD"], entry.values_at("msg", "reqId")
  end

  def test_a_line_that_cannot_be_written_as_json_is_reported_instead
    @logger.info(msg: "x", ratio: Float::NAN)

    entry = entries.first
    assert_equal 50, entry["level"]
    assert_match(/cannot format a log line/, entry["msg"])
  end

  def test_a_newline_in_a_message_stays_in_its_line
    @logger.info("one\ntwo")

    assert_equal 1, @io.string.lines.size
    assert_equal "one\ntwo", entries.first["msg"]
  end
end
