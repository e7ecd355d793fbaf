# frozen_string_literal: true

require_relative "test_helper"

class MonitoringTest < Support::UsersTest
  ENDPOINTS = %w[Ping CreateUser GetUser ListUsers UpdateUser DeleteUser].map do |name|
    {"name" => name, "subject" => "users.v1.UserService.#{name}", "queue_group" => "users-v1-UserService"}
  end.freeze

  def test_ping_names_a_ruby_users_service
    ping = srv("PING")

    assert_equal "io.nats.micro.v1.ping_response", ping["type"]
    assert_equal "users", ping["name"]
    assert_match(/\A\d+\.\d+\.\d+\z/, ping["version"])
    assert_equal({"language" => "ruby", "contract" => "users.v1"}, ping["metadata"])
  end

  def test_info_lists_one_endpoint_per_rpc_of_the_contract
    info = srv("INFO")

    assert_equal({"language" => "ruby", "contract" => "users.v1"}, info["metadata"])
    assert_equal ENDPOINTS, info["endpoints"].map { |e| e.slice("name", "subject", "queue_group") }
    assert_equal "users.v1.UserService", info["description"]
  end

  def test_one_instance_answers_discovery
    replies = []
    inbox = client.new_inbox
    sub = client.subscribe(inbox) { |msg| replies << JSON.parse(msg.data) }
    client.publish("$SRV.PING", "", inbox)
    client.flush
    sleep 0.3
    sub.unsubscribe

    assert_equal [self.class.server.instance_id], replies.map { |r| r["id"] }
  end

  def test_stats_count_requests_and_error_replies
    before = stats_of("GetUser")
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: "missing"))
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: ""))
    call_rpc("GetUser", "\xff".b)
    after = stats_of("GetUser")

    assert_equal 3, after["num_requests"] - before["num_requests"]
    assert_equal 3, after["num_errors"] - before["num_errors"]
    assert_equal "400:request is not a valid users.v1.GetUserRequest", after["last_error"]
  end

  def test_stats_do_not_count_successes_as_errors
    before = stats_of("Ping")
    2.times { call_rpc("Ping", Users::V1::PingRequest.new) }
    after = stats_of("Ping")

    assert_equal [2, 0], [after["num_requests"] - before["num_requests"], after["num_errors"] - before["num_errors"]]
  end

  private

  def stats_of(name)
    srv("STATS").fetch("endpoints").find { |e| e["name"] == name }
  end
end
