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
    started, stopped = log_entries(@output)
    assert_equal 2, log_entries(@output).size, @output
    assert_match(/\Astarted: users \d+\.\d+\.\d+, instance \w+, deployment users-rb, users.v1.UserService \(Ping, CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser, StreamUsers\) on nats:\/\/127\.0\.0\.1:\d+\z/, started["msg"])
    assert_equal "stopped (SIGTERM): drained", stopped["msg"]
  end

  # pino's fields, so that one query reads the logs of the Ruby and the TypeScript processes.
  def test_it_logs_one_json_object_per_line_as_pino_does
    before = (Time.now.to_r * 1000).floor
    spawn_service
    pid = @pid
    wait_for_output(/started: users/)
    line = @output.lines.first
    entry = JSON.parse(line)

    assert_equal %w[level time pid hostname name msg], entry.keys
    assert_equal [30, pid, Socket.gethostname, "users-rb"], entry.values_at("level", "pid", "hostname", "name")
    assert_includes before..(Time.now.to_r * 1000).ceil, entry["time"]
    # packages/faults finds the instance id with this regex, applied to the whole line.
    assert_equal srv("INFO").fetch("id"), line[/, instance (\w+),/, 1]
  end

  def test_sigint_stops_it_too_and_it_leaves_discovery
    spawn_service("BUILD_REVISION" => nil)
    wait_for_output(/started: users/)
    metadata = srv("INFO").fetch("metadata")
    assert_equal "ruby", metadata["language"]
    assert_equal "users-rb", metadata["deployment"]
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

  def test_switchyard_deployment_names_its_deployment
    spawn_service("SWITCHYARD_DEPLOYMENT" => "users-rb-canary")
    wait_for_output(/started: users/)
    reply = call_rpc("Ping", Users::V1::PingRequest.new, deployment: "users-rb-canary")

    assert_equal "pong", assert_reply(reply, Users::V1::PingResponse, deployment: "users-rb-canary").message
    assert_equal "users-rb-canary", srv("INFO").fetch("metadata")["deployment"]
    assert_match(/, deployment users-rb-canary, /, @output)
    assert_raises(NATS::IO::NoRespondersError) { call_rpc("Ping", Users::V1::PingRequest.new, deployment: "users-rb") }
  end

  def test_a_bad_deployment_name_exits_2_naming_the_variable
    spawn_service("SWITCHYARD_DEPLOYMENT" => "users.rb")

    assert_equal 2, wait_for_exit.exitstatus
    entry = log_entries(@output).last
    assert_equal 50, entry["level"]
    assert_equal "SWITCHYARD_DEPLOYMENT: \"users.rb\" is not a deployment name: 1 to 64 letters, digits, '-' or '_', " \
      "starting with a letter or digit", entry["msg"]
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
    assert_equal [50, "NATS_PASSWORD: NATS_USER and NATS_PASSWORD go together"], log_entries(@output).last.values_at("level", "msg")
  end
end
