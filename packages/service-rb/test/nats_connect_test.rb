# frozen_string_literal: true

require_relative "test_helper"

# How a service process (Runner, Config) meets a NATS that refuses it: a wrong password or none is one error line and
# exit 1 (never a retry loop), its reply inbox follows NATS_INBOX_PREFIX, and a password in NATS_URL
# never reaches a log line or an error message.
class NatsConnectTest < Support::NatsTest
  include Support::LogLines
  include Support::ServiceProcess

  # ada may subscribe to her own inbox prefix only, as a service role of `make up` may.
  def self.server_config
    'authorization { users = [ { user: "ada", password: "s3cret", ' \
      'permissions: { publish: { allow: ["greet"] }, subscribe: { allow: ["greet", "_INBOX_ada.>"] }, allow_responses: true } } ] }'
  end

  def teardown
    kill_service
  end

  def run_app(env)
    out = StringIO.new
    status = Support::EchoApp.run(env: {"NATS_URL" => nats.url}.merge(env), out: out)
    [status, log_entries(out.string)]
  end

  def test_a_wrong_password_is_one_line_and_exit_1
    status, entries = run_app("NATS_USER" => "ada", "NATS_PASSWORD" => "wrong-password")

    assert_equal 1, status
    assert_equal [[50, "NATS #{nats.url}: the credentials of user \"ada\" (NATS_USER, NATS_PASSWORD) were refused: Authorization Violation"]],
      entries.map { |e| e.values_at("level", "msg") }
  end

  def test_no_credentials_says_so
    status, entries = run_app({})

    assert_equal 1, status
    assert_match(/no credentials were given \(set NATS_USER and NATS_PASSWORD, NATS_CREDS or NATS_TOKEN\), so the connection was refused/,
      entries.last["msg"])
  end

  def test_credentials_in_the_url_are_never_logged
    url = nats.url.sub("//", "//ada:wrong-password@")
    status, entries = run_app("NATS_URL" => url)

    assert_equal 1, status
    assert_equal "NATS nats://ada:***@127.0.0.1:#{nats.port}: the credentials in NATS_URL were refused: Authorization Violation", entries.last["msg"]
    error = assert_raises(Switchyard::ConfigError) { Switchyard::Config.from_env("NATS_URL" => "nats://ada:s3cret@a:4222/path") }
    assert_equal 'NATS_URL: "nats://ada:***@a:4222/path" is not a NATS server URL (nats://host:port)', error.message
    assert_equal "tls://ada:***@a:4222,nats://***@b:4222,c:4222",
      Switchyard::Config.new(servers: ["tls://ada:s3cret@a:4222", "nats://t0ken@b:4222", "c:4222"]).redacted_url
  end

  def test_it_starts_with_credentials_in_the_url_and_shows_them_redacted
    spawn_service("NATS_URL" => nats.url.sub("//", "//ada:s3cret@"))
    wait_for_output(/"level":50|started: /)

    refute_includes @output, "s3cret"
  end

  def test_requests_use_the_inbox_prefix
    config = Switchyard::Config.from_env("NATS_URL" => nats.url, "NATS_USER" => "ada", "NATS_PASSWORD" => "s3cret",
      "NATS_INBOX_PREFIX" => "_INBOX_ada")
    client = NATS::IO::Client.new
    client.connect(config.url, config.connect_options("inbox-test").merge(reconnect: false))
    client.subscribe("greet") { |msg| msg.respond("hello #{msg.reply.split(".").first}") }

    assert_equal "hello _INBOX_ada", client.request("greet", "", timeout: 2).data
  ensure
    client&.close
  end

  def test_refuses_an_inbox_prefix_with_wildcards
    ["_INBOX.>", "a.*", "a b", ".a"].each do |prefix|
      error = assert_raises(Switchyard::ConfigError) { Switchyard::Config.from_env("NATS_INBOX_PREFIX" => prefix) }
      assert_equal "NATS_INBOX_PREFIX", error.variable
    end
    assert_nil Switchyard::Config.from_env("NATS_INBOX_PREFIX" => "").connect_options("x")[:custom_inbox_prefix]
  end

  def test_tls_configured_against_a_server_without_tls_is_one_line
    Dir.mktmpdir do |dir|
      ca = File.join(dir, "ca.pem")
      key = OpenSSL::PKey::RSA.new(2048)
      cert = OpenSSL::X509::Certificate.new
      cert.version = 2
      cert.serial = 1
      cert.subject = cert.issuer = OpenSSL::X509::Name.parse("/CN=ca")
      cert.public_key = key.public_key
      cert.not_before = Time.now - 60
      cert.not_after = Time.now + 3600
      cert.sign(key, OpenSSL::Digest.new("SHA256"))
      File.write(ca, cert.to_pem)
      status, entries = run_app("NATS_USER" => "ada", "NATS_PASSWORD" => "s3cret", "NATS_TLS_CA" => ca)

      assert_equal 1, status
      assert_equal "NATS #{nats.url}: TLS is configured (NATS_TLS_CA, NATS_TLS_CERT) but the server does not offer it", entries.last["msg"]
    end
  end
end
