# frozen_string_literal: true

require_relative "test_helper"
require "socket"

# bin/users-rb as a process: its log lines, its exit status, and the drain on SIGTERM/SIGINT.
class BinTest < Support::ClientTest
  include Support::RpcAssertions

  include Support::ServiceProcess

  def teardown
    kill_service
  end

  def test_sigterm_answers_every_request_received_then_exits_0
    spawn_service
    wait_for_output(/started: users/)
    replies = Queue.new
    inbox = client.new_inbox
    client.subscribe("#{inbox}.*") { |msg| replies << msg }
    count = 30
    count.times do |i|
      user = Users::V1::User.new(first_name: "Ada", last_name: "L#{i}", email: "ada.#{SecureRandom.hex(4)}@example.com")
      client.publish("users.v1.UserService.CreateUser", Users::V1::CreateUserRequest.encode(Users::V1::CreateUserRequest.new(user: user)), "#{inbox}.#{i}")
    end
    client.flush

    Process.kill("TERM", @pid)
    status = wait_for_exit
    client.flush
    deadline = monotonic + 2
    sleep 0.02 while replies.size < count && monotonic < deadline
    received = Array.new(replies.size) { replies.pop }

    assert_equal 0, status.exitstatus, @output
    assert_equal count, received.size
    received.each { |reply| assert assert_reply(reply, Users::V1::CreateUserResponse).success }
    lines = @output.lines
    assert_equal 2, lines.size, @output
    assert_match(/INFO users-rb: started: users \d+\.\d+\.\d+, instance \w+, users.v1.UserService \(Ping, CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser\) on nats:\/\/127\.0\.0\.1:\d+$/, lines[0])
    assert_match(/INFO users-rb: stopped \(SIGTERM\): drained$/, lines[1])
  end

  def test_sigint_stops_it_too_and_it_leaves_discovery
    spawn_service("BUILD_REVISION" => nil)
    wait_for_output(/started: users/)
    metadata = srv("INFO").fetch("metadata")
    assert_equal "ruby", metadata["language"]
    refute metadata.key?("revision"), "no BUILD_REVISION, no revision: #{metadata.inspect}"
    descriptors = metadata.fetch("switchyard.descriptors")

    Process.kill("INT", @pid)

    assert_equal 0, wait_for_exit.exitstatus
    assert_match(/stopped \(SIGINT\): drained/, @output)
    assert_raises(NATS::IO::NoRespondersError) { srv("PING") }
    assert_raises(NATS::IO::NoRespondersError) { client.request(descriptors, "", timeout: TIMEOUT) }
  end

  def test_it_carries_its_build_revision_and_its_contract
    spawn_service("BUILD_REVISION" => "3f2a9c1")
    wait_for_output(/started: users/)
    metadata = srv("INFO").fetch("metadata")
    contract = Switchyard::Contract.lookup(Users::CONTRACT).descriptors

    assert_equal "3f2a9c1", metadata["revision"]
    # Another process derives the same bytes, so instances of one build share one digest.
    assert_equal contract.digest, metadata["switchyard.contract_digest"]
    assert_equal contract.bytes, client.request(contract.subject, "", timeout: TIMEOUT).data.b
  end

  def test_a_signal_while_it_waits_for_nats_exits_0
    port = TCPServer.open("127.0.0.1", 0) { |server| server.addr[1] } # free once closed
    spawn_service("NATS_URL" => "nats://127.0.0.1:#{port}")
    wait_for_output(/nats \(users-rb\): .*refused/i) # it keeps trying

    Process.kill("TERM", @pid)

    assert_equal 0, wait_for_exit.exitstatus
    assert_match(/stopped \(SIGTERM\) before it started/, @output)
  end

  def test_a_bad_setting_exits_2_naming_the_variable
    spawn_service("NATS_USER" => "ada")

    assert_equal 2, wait_for_exit.exitstatus
    assert_match(/ERROR users-rb: NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together/, @output)
  end
end
