# frozen_string_literal: true

require_relative "test_helper"
require "digest"

class MonitoringTest < Support::UsersTest
  # Each RPC twice: in the contract's shared queue group, and for the deployment alone.
  ENDPOINTS = %w[Ping CreateUser GetUser ListUsers UpdateUser DeleteUser StreamUsers].flat_map do |name|
    [
      {"name" => name, "subject" => "users.v1.UserService.#{name}", "queue_group" => "users-v1-UserService"},
      {
        "name" => "#{name}-users-rb",
        "subject" => "switchyard.deployment.users-rb.users.v1.UserService.#{name}",
        "queue_group" => "users-rb"
      }
    ]
  end.freeze

  def test_ping_names_a_ruby_users_service
    ping = srv("PING")

    assert_equal "io.nats.micro.v1.ping_response", ping["type"]
    assert_equal "users", ping["name"]
    assert_match(/\A\d+\.\d+\.\d+\z/, ping["version"])
    assert_equal expected_metadata, ping["metadata"]
  end

  def test_info_lists_two_endpoints_per_rpc_of_the_contract
    info = srv("INFO")

    assert_equal expected_metadata, info["metadata"]
    assert_equal ENDPOINTS, info["endpoints"].map { |e| e.slice("name", "subject", "queue_group") }
    assert_equal "users.v1.UserService", info["description"]
  end

  # No revision: this suite's server is built without one (test/carried_contract_test.rb and
  # test/bin_test.rb have it).
  def test_info_metadata_carries_the_contract
    metadata = srv("INFO").fetch("metadata")
    digest = metadata.fetch("switchyard.contract_digest")

    assert_equal %w[contract deployment language switchyard.contract_digest switchyard.descriptors switchyard.nats_server], metadata.keys.sort
    assert_equal ["ruby", "users.v1", "users-rb"], metadata.values_at("language", "contract", "deployment")
    assert_match(/\A[0-9a-f]{32}\z/, digest)
    assert_equal "switchyard.descriptors.#{digest}", metadata.fetch("switchyard.descriptors")
  end

  def test_the_descriptors_subject_answers_with_the_contract_s_descriptor_set
    metadata = srv("INFO").fetch("metadata")
    reply = client.request(metadata.fetch("switchyard.descriptors"), "", timeout: TIMEOUT)
    files = Google::Protobuf::FileDescriptorSet.decode(reply.data).file.to_a
    names = files.map(&:name)

    assert_equal metadata.fetch("switchyard.contract_digest"), Digest::SHA256.hexdigest(reply.data)[0, 32]
    assert_equal "users/v1/users.proto", names.last
    assert_equal ["users.v1.UserService"], files.last.service.map { |service| "#{files.last.package}.#{service.name}" }
    assert_equal %w[buf/validate/validate.proto google/api/annotations.proto google/protobuf/field_mask.proto],
      files.last.dependency.to_a
    assert_equal names.uniq, names
    files.each_with_index do |file, index| # every import is there, before the file that imports it
      file.dependency.each { |import| assert_includes names.first(index), import, "#{file.name} imports #{import}" }
    end
    assert_equal %w[google/protobuf/descriptor.proto google/protobuf/duration.proto google/protobuf/field_mask.proto],
      names.first(3)
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

  def test_the_deployment_s_endpoint_answers_and_counts_its_own_requests
    shared_before = stats_of("GetUser")
    before = stats_of("GetUser-users-rb")
    id = assert_reply(create(new_user), Users::V1::CreateUserResponse).id
    found = call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id), deployment: "users-rb")
    missing = call_rpc("GetUser", Users::V1::GetUserRequest.new(id: "missing"), deployment: "users-rb")
    after = stats_of("GetUser-users-rb")
    shared_after = stats_of("GetUser")

    assert_equal id, assert_reply(found, Users::V1::GetUserResponse, deployment: "users-rb").user.id
    assert_service_error missing, reason: "NOT_FOUND", status: 404, message: "user missing not found", deployment: "users-rb"
    assert_equal [2, 1], [after["num_requests"] - before["num_requests"], after["num_errors"] - before["num_errors"]]
    assert_equal "404:user missing not found", after["last_error"]
    assert_equal shared_before.slice("num_requests", "num_errors"), shared_after.slice("num_requests", "num_errors")
  end

  def test_the_shared_endpoint_s_requests_are_not_counted_on_the_deployment_s
    before = %w[Ping-users-rb GetUser-users-rb].map { |name| stats_of(name) }
    call_rpc("Ping", Users::V1::PingRequest.new)
    call_rpc("GetUser", Users::V1::GetUserRequest.new(id: ""))

    assert_equal before, %w[Ping-users-rb GetUser-users-rb].map { |name| stats_of(name) }
  end

  def test_every_reply_names_the_deployment_from_either_endpoint
    [nil, "users-rb"].each do |deployment|
      pong = call_rpc("Ping", Users::V1::PingRequest.new, deployment: deployment)
      error = call_rpc("GetUser", Users::V1::GetUserRequest.new(id: ""), deployment: deployment)
      malformed = call_rpc("GetUser", "\xff".b, deployment: deployment)

      assert_equal "users-rb", pong.header["Switchyard-Deployment"]
      assert_equal "users-rb", error.header["Switchyard-Deployment"]
      assert_equal "users-rb", malformed.header["Switchyard-Deployment"]
      assert_equal "INVALID_ARGUMENT", error.header["Switchyard-Error-Reason"]
    end
  end

  def test_stats_do_not_count_successes_as_errors
    before = stats_of("Ping")
    2.times { call_rpc("Ping", Users::V1::PingRequest.new) }
    after = stats_of("Ping")

    assert_equal [2, 0], [after["num_requests"] - before["num_requests"], after["num_errors"] - before["num_errors"]]
  end

  private

  def expected_metadata
    digest = self.class.server.contract.descriptors.digest
    {
      "language" => "ruby",
      "contract" => "users.v1",
      "deployment" => "users-rb",
      "switchyard.descriptors" => "switchyard.descriptors.#{digest}",
      "switchyard.contract_digest" => digest,
      # The suite's one nats-server: the instance registered through it.
      "switchyard.nats_server" => client.server_info[:server_name]
    }
  end

  def stats_of(name)
    srv("STATS").fetch("endpoints").find { |e| e["name"] == name }
  end
end
