# frozen_string_literal: true

require_relative "test_helper"

# bin/users-rb outlives a nats-server restart: it reconnects and serves again, users intact.
class ReconnectTest < Support::NatsTest
  include Support::RpcAssertions
  include Support::ServiceProcess

  attr_reader :client

  def teardown
    kill_service
    @client&.close
  end

  def test_it_serves_again_after_the_server_restarts
    spawn_service
    wait_for_output(/started: users/)
    @client = self.class.connect
    user = Users::V1::User.new(first_name: "Ada", last_name: "Lovelace")
    id = assert_reply(call_rpc("CreateUser", Users::V1::CreateUserRequest.new(user: user)), Users::V1::CreateUserResponse).id
    @client.close

    nats.restart
    wait_for_output(/nats \(users-rb\): reconnected/)
    wait_for_output(/nats \(users-rb-work\): reconnected/)
    @client = self.class.connect

    got = assert_reply(call_rpc("GetUser", Users::V1::GetUserRequest.new(id: id)), Users::V1::GetUserResponse)
    assert_equal "Ada", got.user.first_name
    assert_equal 40, log_entry(@output, /\Anats \(users-rb\): disconnected\z/)["level"] # warn
    Process.kill("TERM", @pid)
    assert_equal 0, wait_for_exit.exitstatus
  end
end
