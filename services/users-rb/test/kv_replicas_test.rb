# frozen_string_literal: true

require_relative "test_helper"
require "socket"

class KvReplicasTest < Minitest::Test
  NOT_CLUSTERED = NATS::JetStream::Error::ServerError.new(err_code: 10_074, description: "replicas > 1 not supported in non-clustered mode")

  def test_one_on_a_lone_server_and_up_to_three_on_a_cluster
    count = ->(info) { Switchyard::KvReplicas.count(info, {}) }

    assert_equal 1, count.call(nil)
    assert_equal 1, count.call({})
    assert_equal 2, count.call(cluster: "c", connect_urls: ["a:1", "b:1"])
    assert_equal 3, count.call(cluster: "c", connect_urls: %w[a:1 b:1 c:1 d:1])
    assert_equal 3, count.call(cluster: "c") # no_advertise: the servers are not listed
  end

  def test_the_setting_wins_and_must_be_one_to_five
    assert_equal 3, Switchyard::KvReplicas.count({}, "NATS_KV_REPLICAS" => "3")
    assert_equal 1, Switchyard::KvReplicas.count({cluster: "c"}, "NATS_KV_REPLICAS" => "1")
    %w[0 6 three 3.0].each do |bad|
      error = assert_raises(Switchyard::ConfigError) { Switchyard::KvReplicas.count({}, "NATS_KV_REPLICAS" => bad) }
      assert_equal "NATS_KV_REPLICAS", error.variable
    end
  end

  def test_a_server_that_is_not_clustered_after_all_gets_one
    client = Struct.new(:server_info).new({cluster: "c", connect_urls: %w[a:1 b:1 c:1]})
    asked = []
    bucket = Switchyard::KvReplicas.create(client, {}) do |replicas|
      asked << replicas
      raise NOT_CLUSTERED if replicas > 1

      :bucket
    end

    assert_equal :bucket, bucket
    assert_equal [3, 1], asked
  end

  def test_set_explicitly_it_is_an_error_naming_the_setting
    client = Struct.new(:server_info).new({})
    error = assert_raises(Switchyard::ConfigError) do
      Switchyard::KvReplicas.create(client, "NATS_KV_REPLICAS" => "3") { raise NOT_CLUSTERED }
    end

    assert_match(/not clustered/, error.message)
  end
end

# The users bucket as users-rb creates it, on a lone server and on a 3-node cluster.
class KvReplicasServerTest < Minitest::Test
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
