# frozen_string_literal: true

require_relative "test_helper"

class PingTest < Support::UsersTest
  def test_pong_names_the_instance_that_served_it
    response = assert_reply(call_rpc("Ping", Users::V1::PingRequest.new), Users::V1::PingResponse)

    assert_equal "pong", response.message
    assert_equal "users", response.served_by.service
    assert_equal "ruby", response.served_by.language
    assert_equal srv("PING").fetch("id"), response.served_by.instance
  end

  def test_the_reply_does_not_echo_request_headers
    reply = call_rpc("Ping", Users::V1::PingRequest.new, header: {"Switchyard-Request-Id" => "req-1"})

    assert_equal({"Switchyard-Deployment" => "users-rb"}, reply.header)
    assert_equal "pong", Users::V1::PingResponse.decode(reply.data).message
  end
end
