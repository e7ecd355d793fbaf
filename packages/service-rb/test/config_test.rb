# frozen_string_literal: true

require_relative "test_helper"

class ConfigTest < Minitest::Test
  def config(env)
    Switchyard::Config.from_env(env)
  end

  def test_defaults_to_the_local_server_and_reconnects_forever
    options = config({}).connect_options("echo-rb")

    assert_equal ["nats://127.0.0.1:4222"], config({}).servers
    assert_equal({name: "echo-rb", reconnect: true, max_reconnect_attempts: -1}, options.except(:reconnect_time_wait))
  end

  def test_each_connection_draws_its_own_reconnect_wait
    waits = Array.new(20) { config({}).connect_options("x")[:reconnect_time_wait] }

    assert(waits.all? { |wait| wait >= NATS::IO::RECONNECT_TIME_WAIT && wait < NATS::IO::RECONNECT_TIME_WAIT + Switchyard::Config::RECONNECT_JITTER })
    assert_operator waits.uniq.size, :>, 1
  end

  def test_a_bad_kv_replica_count_stops_the_process
    error = assert_raises(Switchyard::ConfigError) { config("NATS_KV_REPLICAS" => "three") }

    assert_equal "NATS_KV_REPLICAS", error.variable
  end

  def test_a_cluster_is_a_comma_separated_list
    servers = config("NATS_URL" => "nats://a:4222, tls://b:4223,c:4224,").servers

    assert_equal ["nats://a:4222", "tls://b:4223", "c:4224"], servers
  end

  def test_credentials_become_connect_options
    Tempfile.create("creds") do |creds|
      env = {"NATS_USER" => "u", "NATS_PASSWORD" => "p", "NATS_TOKEN" => "t", "NATS_CREDS" => creds.path}
      options = config(env).connect_options("x")

      assert_equal ["u", "p", "t", creds.path], options.values_at(:user, :pass, :auth_token, :user_credentials)
    end
  end

  def test_the_build_revision_is_optional
    assert_equal "3f2a9c1", config("BUILD_REVISION" => "3f2a9c1").revision
    assert_nil config("BUILD_REVISION" => "").revision
    assert_nil config({}).revision
  end

  def test_the_deployment_is_optional
    assert_equal "echo-rb-canary", config("SWITCHYARD_DEPLOYMENT" => "echo-rb-canary").deployment
    assert_equal "9_x", config("SWITCHYARD_DEPLOYMENT" => "9_x").deployment
    assert_nil config("SWITCHYARD_DEPLOYMENT" => "").deployment
    assert_nil config({}).deployment
  end

  def test_refuses_a_deployment_that_is_not_a_name
    error = assert_raises(Switchyard::ConfigError) { config("SWITCHYARD_DEPLOYMENT" => "echo.rb") }

    assert_equal "SWITCHYARD_DEPLOYMENT", error.variable
    assert_equal "SWITCHYARD_DEPLOYMENT: \"echo.rb\" is not a deployment name: 1 to 64 letters, digits, '-' or '_', " \
      "starting with a letter or digit", error.message
  end

  def test_refuses_what_it_cannot_use
    {
      {"NATS_URL" => ""} => "NATS_URL",
      {"NATS_URL" => "http://a:4222"} => "NATS_URL",
      {"NATS_URL" => "nats://a:4222/path"} => "NATS_URL",
      {"NATS_USER" => "u"} => "NATS_PASSWORD", # the one missing
      {"NATS_PASSWORD" => "p"} => "NATS_USER",
      {"NATS_CREDS" => "/nonexistent/user.creds"} => "NATS_CREDS",
      {"SWITCHYARD_DEPLOYMENT" => "-echo"} => "SWITCHYARD_DEPLOYMENT"
    }.each do |env, variable|
      error = assert_raises(Switchyard::ConfigError, env.inspect) { config(env) }
      assert_equal variable, error.variable
      assert error.message.start_with?("#{variable}: ")
    end
  end
end
