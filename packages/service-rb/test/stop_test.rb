# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Server#stop answers every request it received: those running finish, those still
# queued when its queue_timeout ends are answered UNAVAILABLE, none is dropped.
class StopTest < Support::NatsTest
  # Every Ping waits until the gate opens.
  class Gated
    attr_reader :started

    def initialize
      @gate = Queue.new
      @started = Queue.new
    end

    def open
      64.times { @gate << :go }
    end

    def ping(_request, _call)
      @started << true
      @gate.pop
      Echo::V1::PingResponse.new(message: "ran")
    end
  end

  # Queue#pop(timeout:) is Ruby 3.2's.
  def pop_within(queue, seconds)
    deadline = Switchyard::Deadline.now + seconds
    sleep 0.01 while queue.empty? && Switchyard::Deadline.now < deadline
    queue.empty? ? nil : queue.pop
  end

  def test_requests_still_queued_at_stop_are_answered_unavailable_and_the_running_ones_finish
    implementation = Gated.new
    service_client = self.class.connect
    client = self.class.connect
    server = Switchyard::Server.new(
      service_client, contract: Switchyard::Contract.lookup("echo.v1.EchoService"), name: "stopping", version: "1.0.0",
      implementation: implementation, logger: Switchyard::Log.new(StringIO.new, progname: "test"), queue_timeout: 0.3
    ).start

    running = Switchyard::Server::HANDLER_CONCURRENCY
    queued = 5
    replies = Queue.new
    inbox = client.new_inbox
    client.subscribe("#{inbox}.*") { |msg| replies << msg }
    (running + queued).times { |i| client.publish("echo.v1.EchoService.Ping", "", "#{inbox}.#{i}") }
    client.flush
    running.times { implementation.started.pop }

    stopped = Thread.new { server.stop }
    assert stopped.join(5), "stop returns once nothing is queued"
    queued.times do
      reply = pop_within(replies, 5)
      assert_equal %w[UNAVAILABLE 503], reply.header.values_at("Switchyard-Error-Reason", "Nats-Service-Error-Code")
      assert_equal "the instance is stopping and did not run the request; retry", reply.header["Nats-Service-Error"]
      assert_equal "stopping-rb", reply.header["Switchyard-Deployment"]
    end

    implementation.open
    running.times do
      reply = pop_within(replies, 5)
      assert_equal "ran", Echo::V1::PingResponse.decode(reply.data).message
    end
    assert_nil pop_within(replies, 0.2), "one reply each"
  ensure
    implementation&.open
    [client, service_client].compact.each(&:close)
  end

  def test_queued_requests_are_served_within_the_queue_timeout
    implementation = Gated.new
    service_client = self.class.connect
    client = self.class.connect
    server = Switchyard::Server.new(
      service_client, contract: Switchyard::Contract.lookup("echo.v1.EchoService"), name: "stopping", version: "1.0.0",
      implementation: implementation, logger: Switchyard::Log.new(StringIO.new, progname: "test"), queue_timeout: 5
    ).start

    count = Switchyard::Server::HANDLER_CONCURRENCY + 5
    replies = Queue.new
    inbox = client.new_inbox
    client.subscribe("#{inbox}.*") { |msg| replies << msg }
    count.times { |i| client.publish("echo.v1.EchoService.Ping", "", "#{inbox}.#{i}") }
    client.flush
    Switchyard::Server::HANDLER_CONCURRENCY.times { implementation.started.pop }

    stopped = Thread.new { server.stop }
    sleep 0.2
    implementation.open
    assert stopped.join(5)
    messages = Array.new(count) { Echo::V1::PingResponse.decode(pop_within(replies, 5).data).message }
    assert_equal ["ran"] * count, messages
  ensure
    implementation&.open
    [client, service_client].compact.each(&:close)
  end
end
