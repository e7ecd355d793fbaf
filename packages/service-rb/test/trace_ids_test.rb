# frozen_string_literal: true

require_relative "test_helper"

class TraceIdsTest < Minitest::Test
  TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
  SPAN = "00f067aa0ba902b7"

  def test_reads_the_ids_of_a_traceparent
    ids = Switchyard::TraceIds.parse("00-#{TRACE}-#{SPAN}-01")

    assert_equal({trace_id: TRACE, span_id: SPAN}, ids.to_h)
    assert_equal SPAN, Switchyard::TraceIds.parse("01-#{TRACE}-#{SPAN}-00-later").span_id # a later version may add fields
  end

  def test_anything_else_has_no_ids
    [
      nil, "", "garbage",
      "00-#{TRACE}-#{SPAN}-01-extra", # version 00 has four fields
      "ff-#{TRACE}-#{SPAN}-01", # version ff is invalid
      "00-#{TRACE.upcase}-#{SPAN}-01",
      "00-#{"0" * 32}-#{SPAN}-01",
      "00-#{TRACE}-#{"0" * 16}-01",
      "00-#{TRACE}-#{SPAN}"
    ].each { |value| assert_nil Switchyard::TraceIds.parse(value), value.inspect }
  end
end
