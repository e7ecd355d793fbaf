# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::RequestWakeupFix: a reply that comes before the requester waits is not lost.
class RequestWakeupFixTest < Support::NatsTest
  def self.start_suite
    @responder = connect
    @responder.subscribe("echo") { |msg| msg.respond(msg.data) }
    @responder.flush
  end

  def self.stop_suite
    @responder&.close
  end

  def setup
    @client = self.class.connect
  end

  def teardown
    @client.close
  end

  def test_concurrent_requests_on_one_client_each_get_their_own_reply
    # Threads share the client as a service's handlers do, and loopback replies come in well under
    # a millisecond: the replies that beat their requester to the wait are the ones unpatched
    # nats-pure 2.7.0 loses (a NATS::Timeout here). The race needs a loaded machine to show; the
    # fault suite (packages/faults) caught it under load.
    threads = Array.new(8) do |t|
      Thread.new { Array.new(500) { |i| @client.request("echo", "#{t}.#{i}", timeout: 2).data } }
    end
    threads.each_with_index do |thread, t|
      assert_equal Array.new(500) { |i| "#{t}.#{i}" }, thread.value
    end
  end

  def test_headers_go_with_the_request
    reply = @client.request("echo", "x", header: {"A" => "b"}, timeout: 2)
    assert_equal "x", reply.data
  end

  def test_times_out_when_nobody_answers_in_time
    @responder = self.class.connect
    @responder.subscribe("silent") { |_msg| }
    @responder.flush
    assert_raises(NATS::Timeout) { @client.request("silent", "", timeout: 0.2) }
  ensure
    @responder&.close
  end

  def test_no_responders_is_an_error_at_once
    assert_raises(NATS::IO::NoRespondersError) { @client.request("nobody.listens", "", timeout: 2) }
  end

  def test_fixes_the_client_it_is_applied_to_and_no_other
    assert_kind_of Switchyard::RequestWakeupFix, @client
    refute_includes NATS::IO::Client.ancestors, Switchyard::RequestWakeupFix
  end

  def test_is_written_for_the_nats_pure_in_use
    assert_equal NATS::IO::VERSION, Switchyard::RequestWakeupFix::PATCHED_VERSION
  end
end
