# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Server serving a server-streaming RPC (services/README.md, Streaming), with a handler
# whose request's after_id says what its stream does.
class StreamTest < Support::NatsTest
  include Support::RpcAssertions

  WINDOW = Switchyard::Protocol::STREAM_WINDOW
  HEADERS = Switchyard::Protocol::STREAM_HEADERS
  STREAM = "echo.v1.EchoService.Stream"

  # after_id: "count-<n>", "enum-<n>", "fail-<n>", "forever", "wait" or "wrong".
  class Streamer
    attr_reader :finished

    def initialize
      @produced = 0
      @finished = []
      @lock = Mutex.new
    end

    def produced
      @lock.synchronize { @produced }
    end

    def stream(request, call, &block)
      mode, count = request.after_id.split("-")
      n = count.to_i
      case mode
      when "enum" then return Enumerator.new { |out| n.times { |i| out << message(i + 1) } }
      when "count" then n.times { |i| yield message(i + 1) }
      when "fail"
        n.times { |i| yield message(i + 1) }
        raise Switchyard::ServiceError.new(:NOT_FOUND, "no item", field: "after_id")
      when "forever" then (1..).each { |i| yield message(i) }
      when "wait" then wait(call, &block)
      when "wrong" then yield Echo::V1::Item.new
      end
      nil
    ensure
      @lock.synchronize { @finished << request.after_id }
    end

    private

    def wait(call)
      yield message(1)
      deadline = Switchyard::Deadline.now + 5
      sleep 0.01 until call.cancelled? || Switchyard::Deadline.now > deadline
    end

    def message(i)
      @lock.synchronize { @produced += 1 }
      Echo::V1::StreamResponse.new(item: Echo::V1::Item.new(id: "i#{i}"))
    end
  end

  class << self
    attr_reader :client, :service_client, :streamer, :log

    def start_suite
      @log = StringIO.new
      @streamer = Streamer.new
      @service_client = connect
      @server = server(@service_client, "streams")
      @client = connect
    end

    def stop_suite
      [@client, @service_client].compact.each(&:close)
    end

    def server(client, deployment)
      Switchyard::Server.new(
        client,
        contract: Switchyard::Contract.lookup("echo.v1.EchoService"),
        name: "streamer", version: "1.0.0", deployment: deployment,
        implementation: @streamer, logger: Switchyard::Log.new(@log, progname: "test")
      ).start
    end
  end

  def client
    self.class.client
  end

  def streamer
    self.class.streamer
  end

  def open(after_id, header: {}, subject: STREAM)
    data = Echo::V1::StreamRequest.encode(Echo::V1::StreamRequest.new(after_id: after_id))
    Support::StreamClient.new(client, subject, data, header: header)
  end

  def ids(messages)
    messages.map { |msg| Echo::V1::StreamResponse.decode(msg.data).item.id }
  end

  def test_sends_the_messages_in_order_numbered_then_the_end
    stream = open("count-3")
    messages = stream.to_end
    stream.close

    assert_equal %w[i1 i2 i3], ids(messages.first(3))
    assert_equal %w[1 2 3], messages.first(3).map { |msg| msg.header[HEADERS[:seq]] }
    finish = messages.last
    assert_equal "3", finish.header[HEADERS[:end_of_stream]]
    assert_equal "", finish.data
    refute finish.header.key?("Nats-Service-Error-Code")
    assert_match(/\A_INBOX\.stream\.\w+\.\w+\z/, messages.first.header[HEADERS[:control]])
    refute messages[1].header.key?(HEADERS[:control])
    messages.each { |msg| assert_equal "streams", msg.header["Switchyard-Deployment"] }
  end

  def test_iterates_the_enumerator_a_handler_returns
    stream = open("enum-3")
    messages = stream.to_end
    stream.close

    assert_equal %w[i1 i2 i3], ids(messages.first(3))
    assert_equal "3", messages.last.header[HEADERS[:end_of_stream]]
  end

  def test_an_empty_stream_is_its_end_alone_naming_the_control_subject
    stream = open("count-0")
    finish = stream.receive(1).first
    stream.close

    assert_equal "0", finish.header[HEADERS[:end_of_stream]]
    refute_nil finish.header[HEADERS[:control]]
  end

  def test_sends_no_more_than_the_window_before_credit
    stream = open("count-40")
    stream.receive(WINDOW)
    sleep 0.3
    assert_equal WINDOW, stream.count, "the service waits for credit"

    stream.ack(4)
    stream.receive(WINDOW + 4)
    sleep 0.2
    assert_equal WINDOW + 4, stream.count, "credit for 4 more, no more"

    messages = stream.to_end
    stream.close
    assert_equal 41, messages.size
    assert_equal (1..40).map(&:to_s), messages.first(40).map { |msg| msg.header[HEADERS[:seq]] }
  end

  def test_ends_with_an_error_raised_mid_stream_as_a_unary_error_reply_carries_it
    stream = open("fail-2")
    messages = stream.to_end
    stream.close

    assert_equal 3, messages.size
    assert_equal "2", messages.last.header[HEADERS[:end_of_stream]]
    assert_service_error messages.last, reason: "NOT_FOUND", status: 404, message: "no item", field: "after_id"
  end

  def test_ends_with_an_error_before_any_message_naming_the_control_subject
    stream = open("fail-0")
    finish = stream.receive(1).first
    stream.close

    assert_equal "0", finish.header[HEADERS[:end_of_stream]]
    refute_nil finish.header[HEADERS[:control]]
    assert_service_error finish, reason: "NOT_FOUND", status: 404, message: "no item", field: "after_id"
  end

  def test_a_message_of_another_type_ends_the_stream_internal
    stream = open("wrong")
    finish = stream.receive(1).first
    stream.close

    assert_service_error finish, reason: "INTERNAL", status: 500, message: "internal error"
  end

  def test_bytes_that_are_not_the_request_end_the_stream_invalid_argument
    reply = client.request(STREAM, "\xff\xff\xff".b, timeout: TIMEOUT)

    assert_equal "0", reply.header[HEADERS[:end_of_stream]]
    assert_service_error reply, reason: "INVALID_ARGUMENT", status: 400, message: "request is not a valid echo.v1.StreamRequest"
  end

  def test_stops_the_handler_on_cancel_and_sends_nothing_more
    stream = open("forever")
    stream.receive(WINDOW)
    stream.cancel
    stream.ack(1_000_000)
    sleep 0.3
    count = stream.count
    produced = streamer.produced
    assert_includes streamer.finished, "forever", "the handler was unwound"

    sleep 0.3
    assert_equal count, stream.count, "no message after the cancel"
    assert_equal produced, streamer.produced, "production stopped"
    refute stream.end?(stream.messages.last), "a cancelled stream sends no end"
    assert_match(/Stream: stream cancelled by the caller after 16 messages/, self.class.log.string)
    stream.close
  end

  def test_tells_a_handler_waiting_on_something_else_that_it_was_cancelled
    stream = open("wait")
    stream.receive(1)
    stream.cancel
    sleep 0.2
    stream.close

    assert_includes streamer.finished, "wait"
  end

  def test_ends_with_deadline_exceeded_when_the_deadline_comes_mid_stream
    stream = open("forever", header: {"Switchyard-Timeout-Ms" => "300"})
    messages = stream.receive(WINDOW + 1)
    stream.close

    assert_equal WINDOW.to_s, messages.last.header[HEADERS[:end_of_stream]]
    assert_service_error messages.last, reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded"
  end

  def test_stops_waiting_for_credit_when_the_caller_is_silent_for_the_idle_time
    started = Switchyard::Deadline.now
    stream = open("forever")
    messages = stream.receive(WINDOW + 1, timeout: Switchyard::Protocol::STREAM_IDLE_MS / 1000.0 + 2)
    stream.close

    assert_operator Switchyard::Deadline.now - started, :>=, Switchyard::Protocol::STREAM_IDLE_MS / 1000.0 - 0.1
    assert_service_error messages.last, reason: "CANCELLED", status: 499, message: "the caller granted no credit for 6000 ms"
  end

  def test_ends_the_streams_still_open_with_unavailable_when_the_instance_stops
    other = self.class.connect
    server = self.class.server(other, "stopping")
    stream = open("forever", subject: "switchyard.deployment.stopping.#{STREAM}")
    stream.receive(WINDOW)
    server.stop
    messages = stream.receive(WINDOW + 1)
    stream.close

    assert_service_error messages.last, reason: "UNAVAILABLE", status: 503, message: "the instance is stopping; resume the stream on another"
  ensure
    other&.close
  end
end
