# frozen_string_literal: true

require_relative "test_helper"

# NATS_USER + NATS_PASSWORD and NATS_TOKEN reach a server that requires them.
module AuthTest
  def connect_with(env)
    config = Switchyard::Config.from_env({"NATS_URL" => nats.url}.merge(env))
    # No retrying here: a refused login must fail the test, not hang it.
    NATS::IO::Client.new.connect(config.url, config.connect_options("auth-test").merge(reconnect: false))
  end

  def assert_connects(env)
    client = connect_with(env)
    assert client.connected?
    client.flush(2)
  ensure
    client&.close
  end

  def assert_refused(env)
    assert_raises(NATS::IO::AuthError) { connect_with(env).close }
  end

  class UserPassword < Support::NatsTest
    include AuthTest

    def self.server_config
      "authorization { user: ada, password: \"s3cret\" }"
    end

    def test_user_and_password
      assert_connects("NATS_USER" => "ada", "NATS_PASSWORD" => "s3cret")
      assert_refused("NATS_USER" => "ada", "NATS_PASSWORD" => "wrong")
    end
  end

  class Token < Support::NatsTest
    include AuthTest

    def self.server_config
      "authorization { token: \"t0ken\" }"
    end

    def test_token
      assert_connects("NATS_TOKEN" => "t0ken")
      assert_refused("NATS_TOKEN" => "other")
    end
  end
end
