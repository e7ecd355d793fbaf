# frozen_string_literal: true

require_relative "test_helper"

# Switchyard-Timeout-Ms and the auth headers through a Switchyard::Server, over a real nats-server.
class DeadlineTest < Support::EchoServerTest
  include Support::RpcAssertions

  # Records what its handlers saw; each waits `delay` seconds first.
  class Recorder
    attr_accessor :delay
    attr_reader :calls

    def initialize
      @delay = 0
      @calls = Queue.new
    end

    def ping(_request, call)
      seen(call)
      Echo::V1::PingResponse.new(message: call.auth&.subject.to_s)
    end

    # NO_SIDE_EFFECTS in the contract.
    def get(request, call)
      seen(call)
      Echo::V1::GetResponse.new(item: Echo::V1::Item.new(id: request.id))
    end

    # IDEMPOTENT: it may write.
    def update(request, call)
      seen(call)
      Echo::V1::UpdateResponse.new(item: request.item)
    end

    # Stops before "writing" past the deadline.
    def delete(_request, call)
      seen(call)
      call.check_deadline!
      Echo::V1::DeleteResponse.new
    end

    private

    def seen(call)
      @calls << call
      sleep delay
    end
  end

  class << self
    def new_implementation
      Recorder.new
    end

    def server_options
      {name: "deadlines"}
    end
  end

  def implementation
    self.class.implementation
  end

  def setup
    implementation.delay = 0
    implementation.calls.clear
  end

  def timeout(ms)
    {"Switchyard-Timeout-Ms" => ms.to_s}
  end

  def get(id, header: nil)
    call_rpc("Get", Echo::V1::GetRequest.new(id: id), header: header)
  end

  def test_a_request_past_its_deadline_on_receipt_is_not_run
    assert_service_error get("x", header: timeout(0)), reason: "DEADLINE_EXCEEDED", status: 504,
      message: "deadline exceeded before the request was handled"
    assert_service_error call_rpc("Update", Echo::V1::UpdateRequest.new, header: timeout(0)), reason: "DEADLINE_EXCEEDED",
      status: 504, message: "deadline exceeded before the request was handled"
    assert_equal 0, implementation.calls.size
  end

  def test_the_handler_sees_its_deadline
    before = Time.now
    assert_reply(get("x", header: timeout(3000)), Echo::V1::GetResponse)
    call = implementation.calls.pop

    assert_in_delta before + 3, call.deadline, 0.5
    assert_in_delta 3.0, call.remaining, 0.5
    refute call.expired?
  end

  def test_without_the_header_there_is_no_deadline
    assert_reply(get("x"), Echo::V1::GetResponse)
    call = implementation.calls.pop

    assert_nil call.deadline
    refute call.expired?
  end

  def test_a_late_reply_of_an_rpc_without_side_effects_is_deadline_exceeded
    implementation.delay = 0.2
    assert_service_error get("x", header: timeout(50)), reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded"
  end

  def test_a_late_reply_of_an_rpc_that_may_write_stands
    implementation.delay = 0.2
    reply = call_rpc("Update", Echo::V1::UpdateRequest.new(item: Echo::V1::Item.new(id: "u")), header: timeout(50))
    assert_equal "u", assert_reply(reply, Echo::V1::UpdateResponse).item.id
  end

  def test_a_handler_stops_itself_past_the_deadline
    implementation.delay = 0.2
    assert_service_error call_rpc("Delete", Echo::V1::DeleteRequest.new(id: "u"), header: timeout(50)),
      reason: "DEADLINE_EXCEEDED", status: 504, message: "deadline exceeded"
    implementation.delay = 0
    assert_reply(call_rpc("Delete", Echo::V1::DeleteRequest.new(id: "u"), header: timeout(2000)), Echo::V1::DeleteResponse)
  end

  # 8 requests of one RPC run at once (Server::HANDLER_CONCURRENCY); the 9th waits in the queue
  # until one ends, past its deadline: it is not run.
  def test_time_spent_queued_counts_against_the_deadline
    implementation.delay = 0.4
    request = Echo::V1::GetRequest.encode(Echo::V1::GetRequest.new(id: "q"))
    replies = Array.new(Switchyard::Server::HANDLER_CONCURRENCY + 1) do
      Thread.new { client.request("echo.v1.EchoService.Get", request, header: timeout(300), timeout: 5) }
    end.map(&:value)

    reasons = replies.map { |reply| reply.header&.fetch("Switchyard-Error-Reason", nil) }
    assert_equal [Switchyard::Server::HANDLER_CONCURRENCY + 1], [reasons.count("DEADLINE_EXCEEDED")], reasons.inspect
    assert_equal Switchyard::Server::HANDLER_CONCURRENCY, implementation.calls.size, "the queued one did not run"
    descriptions = replies.map { |reply| reply.header["Nats-Service-Error"] }
    assert_equal 1, descriptions.count("deadline exceeded before the request was handled"), descriptions.inspect
  end

  def test_the_handler_sees_the_verified_identity
    claims = '{"sub":"user-42","roles":["admin"]}'
    reply = call_rpc("Ping", Echo::V1::PingRequest.new, header: {"Switchyard-Auth-Subject" => "user-42", "Switchyard-Auth-Claims" => claims})

    assert_equal "user-42", assert_reply(reply, Echo::V1::PingResponse).message
    assert_equal({"sub" => "user-42", "roles" => ["admin"]}, implementation.calls.pop.auth.claims)
    assert_equal "", assert_reply(call_rpc("Ping", Echo::V1::PingRequest.new), Echo::V1::PingResponse).message
  end
end
