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

# PING_SHOWS_INSTANCE=false: Ping's served_by.instance is empty, so public replies name no instance.
class PingWithoutInstanceTest < Support::NatsTest
  include Support::RpcAssertions

  class << self
    attr_reader :client

    def start_suite
      @service_client = connect
      js = @service_client.jetstream
      store = Users::UserStore.new(Users::UserStore.bucket(js), js)
      Users::App.server(
        @service_client, store: store, logger: Switchyard::Log.new(StringIO.new, progname: "users-rb"),
        ping_shows_instance: Users::Settings.ping_shows_instance("PING_SHOWS_INSTANCE" => "false")
      ).start
      @client = connect
    end

    def stop_suite
      [@client, @service_client].compact.each(&:close)
    end
  end

  def client
    self.class.client
  end

  def test_pong_names_no_instance
    response = assert_reply(call_rpc("Ping", Users::V1::PingRequest.new), Users::V1::PingResponse)

    assert_equal ["pong", "users", "ruby", ""], [response.message, response.served_by.service, response.served_by.language, response.served_by.instance]
    refute_empty srv("PING").fetch("id"), "discovery still names it"
  end
end

class PingSettingTest < Minitest::Test
  def test_true_unless_set_to_false
    [{}, {"PING_SHOWS_INSTANCE" => ""}, {"PING_SHOWS_INSTANCE" => "true"}].each do |env|
      assert Users::Settings.ping_shows_instance(env), env.inspect
    end
    refute Users::Settings.ping_shows_instance("PING_SHOWS_INSTANCE" => "false")
  end

  def test_any_other_value_stops_the_process_with_2_naming_the_variable
    out = StringIO.new
    assert_equal 2, Users::App.run(env: {"PING_SHOWS_INSTANCE" => "no"}, out: out)
    assert_equal "PING_SHOWS_INSTANCE: \"no\" is neither true nor false", JSON.parse(out.string.lines.last)["msg"]
  end
end
