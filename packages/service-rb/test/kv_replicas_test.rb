# frozen_string_literal: true

require_relative "test_helper"

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
