# frozen_string_literal: true

require_relative "test_helper"
require "socket"

# The users bucket as users-rb creates it, on a lone server and on a 3-node cluster.
class UsersBucketReplicasTest < Minitest::Test
  JETSTREAM_WAIT = 20 # seconds for a new cluster to elect its JetStream meta leader

  def test_the_users_bucket_has_one_replica_on_a_lone_server
    nats = Support::NatsServer.start
    client = NATS.connect(nats.url, reconnect: false)
    Users::UserStore.bucket(client.jetstream)

    assert_equal 1, client.jetstream.stream_info("KV_#{Users::Keys::BUCKET}").config.num_replicas
  ensure
    client&.close
    nats&.stop
  end

  def test_the_users_bucket_has_three_replicas_on_a_three_node_cluster
    ports = Array.new(3) { free_port }
    routes = ports.map { |port| "\"nats://127.0.0.1:#{port}\"" }.join(", ")
    nodes = ports.each_with_index.map do |port, i|
      Support::NatsServer.start(extra: "server_name: n#{i + 1}\ncluster { name: t, listen: \"127.0.0.1:#{port}\", routes: [#{routes}] }")
    end
    client = NATS.connect(nodes.last.url, reconnect: false)
    js = client.jetstream
    with_jetstream_ready { Users::UserStore.bucket(js) }

    assert_equal 3, js.stream_info("KV_#{Users::Keys::BUCKET}").config.num_replicas
  ensure
    client&.close
    nodes&.each(&:stop)
  end

  private

  def free_port
    server = TCPServer.new("127.0.0.1", 0)
    server.addr[1]
  ensure
    server&.close
  end

  # Until the cluster has a meta leader, JetStream answers 503 or not at all.
  def with_jetstream_ready
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + JETSTREAM_WAIT
    begin
      yield
    rescue NATS::JetStream::Error::ServiceUnavailable, NATS::IO::Timeout, NATS::IO::NoRespondersError
      raise if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

      sleep 0.2
      retry
    end
  end
end
