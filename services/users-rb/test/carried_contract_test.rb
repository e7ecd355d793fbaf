# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Server carries its contract: the revision in the metadata, the descriptor set on a
# plain subscription in the contract's queue group (not an endpoint), gone once the server stops.
class CarriedContractTest < Support::ClientTest
  include Support::RpcAssertions

  def setup
    @connections = []
  end

  def teardown
    @connections.each(&:close)
  end

  def start_server(revision: nil)
    connection = self.class.connect
    @connections << connection
    Switchyard::Server.new(
      connection,
      contract: Switchyard::Contract.lookup("users.v1.UserService"),
      name: "carrier", version: "1.0.0",
      implementation: Object.new, revision: revision,
      logger: Switchyard::Log.new(StringIO.new, progname: "test")
    ).start
  end

  def test_the_revision_is_in_the_metadata_when_there_is_one
    server = start_server(revision: "3f2a9c1")
    digest = server.contract.descriptors.digest

    assert_equal(
      {
        "language" => "ruby",
        "contract" => "users.v1",
        "deployment" => "carrier-rb",
        "revision" => "3f2a9c1",
        "switchyard.descriptors" => "switchyard.descriptors.#{digest}",
        "switchyard.contract_digest" => digest,
        "switchyard.nats_server" => client.server_info[:server_name]
      },
      srv("INFO", "carrier")["metadata"]
    )
  end

  def test_the_descriptor_set_is_no_endpoint
    start_server
    endpoints = srv("INFO", "carrier").fetch("endpoints")

    assert_equal %w[Ping CreateUser GetUser ListUsers UpdateUser DeleteUser StreamUsers].flat_map { |rpc| [rpc, "#{rpc}-carrier-rb"] },
      endpoints.map { |e| e["name"] }
    refute endpoints.any? { |e| e["subject"].start_with?("switchyard.descriptors") }
  end

  def test_instances_answer_in_the_contract_s_queue_group
    2.times { start_server }
    replies = Queue.new
    inbox = client.new_inbox
    sub = client.subscribe(inbox) { |msg| replies << msg }
    subject = Switchyard::Contract.lookup("users.v1.UserService").descriptors.subject
    3.times { client.publish(subject, "", inbox) }
    client.flush
    sleep 0.3
    sub.unsubscribe

    assert_equal 3, replies.size # one reply per request, not one per instance
  end

  def test_the_reply_carries_no_request_header
    server = start_server
    reply = client.request(server.contract.descriptors.subject, "", header: {"Switchyard-Request-Id" => "r1"}, timeout: TIMEOUT)

    assert_nil reply.header
    assert_equal server.contract.descriptors.bytes, reply.data.b
  end

  def test_stop_unsubscribes_the_descriptor_set
    server = start_server
    subject = server.contract.descriptors.subject
    client.request(subject, "", timeout: TIMEOUT)

    server.stop
    @connections.last.flush

    assert_raises(NATS::IO::NoRespondersError) { client.request(subject, "", timeout: TIMEOUT) }
    assert_raises(NATS::IO::NoRespondersError) { srv("INFO", "carrier") }
  end
end
