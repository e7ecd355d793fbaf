# frozen_string_literal: true

require_relative "test_helper"

# Mutual TLS to a nats-server with `tls { verify: true }`, certificates made by openssl for the
# suite: a client with NATS_TLS_CA, NATS_TLS_CERT and NATS_TLS_KEY connects; without a certificate
# the CA signed, or without trusting the server's, the process ends with one line saying why.
class NatsTlsTest < Support::NatsTest
  include Support::LogLines

  class << self
    attr_reader :tls

    def server_config
      @tls_dir = Dir.mktmpdir("switchyard-tls-")
      @tls = Support::TlsFiles.new(@tls_dir)
      @tls.server_config(verify: true)
    end

    def stop_suite
      FileUtils.rm_rf(@tls_dir) if @tls_dir
    end
  end

  def tls
    self.class.tls
  end

  def env(**settings)
    {"NATS_URL" => nats.url, "NATS_TLS_CA" => tls.ca}.merge(settings.transform_keys(&:to_s))
  end

  def client_certificate
    {NATS_TLS_CERT: tls.path("client.pem"), NATS_TLS_KEY: tls.path("client.key")}
  end

  # The test service as test/bin/echo-rb runs it, in this process: [exit status, log entries].
  def run_app(env)
    out = StringIO.new
    status = Support::EchoApp.run(env: env, out: out)
    [status, log_entries(out.string)]
  end

  def test_connects_with_the_client_certificate
    config = Switchyard::Config.from_env(env(**client_certificate))
    client = NATS::IO::Client.new
    client.connect(config.url, config.connect_options("tls-test").merge(reconnect: false))
    received = Queue.new
    client.subscribe("hello") { |msg| received << msg.data }
    client.publish("hello", "over TLS")
    client.flush(2)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 2
    sleep 0.01 while received.empty? && Process.clock_gettime(Process::CLOCK_MONOTONIC) < deadline

    assert_equal "over TLS", received.pop(true)
  ensure
    client&.close
  end

  def test_without_a_client_certificate_it_exits_1_saying_which_settings_are_missing
    status, entries = run_app(env)

    assert_equal 1, status
    assert_equal [50, "NATS #{nats.url}: TLS failed: the server requires a client certificate (TLS alert: bad certificate): " \
      "set NATS_TLS_CERT and NATS_TLS_KEY"], entries.last.values_at("level", "msg")
    assert_operator entries.size, :<=, 2, entries.inspect # a reset connection may come first, as a warning
  end

  def test_a_certificate_from_another_ca_is_refused
    status, entries = run_app(env(NATS_TLS_CERT: tls.path("stranger.pem"), NATS_TLS_KEY: tls.path("stranger.key")))

    assert_equal 1, status
    assert_match(/TLS failed: the server rejected the client certificate in NATS_TLS_CERT \(TLS alert: bad certificate\)\z/, entries.last["msg"])
  end

  def test_without_the_ca_it_does_not_trust_the_server
    status, entries = run_app(env(NATS_TLS_CA: nil, **client_certificate).compact)

    assert_equal 1, status
    assert_match(/TLS failed: the server's certificate is not signed by a CA this process trusts \(certificate verify failed.*\): set NATS_TLS_CA/,
      entries.last["msg"])
  end

  def test_bad_tls_files_are_config_errors_naming_the_variable
    not_pem = File.join(tls.dir, "not.pem")
    File.write(not_pem, "hello\n")
    {
      {NATS_TLS_CERT: tls.path("client.pem")} => ["NATS_TLS_KEY", /NATS_TLS_CERT and NATS_TLS_KEY go together/],
      {NATS_TLS_KEY: tls.path("client.key")} => ["NATS_TLS_CERT", /NATS_TLS_CERT and NATS_TLS_KEY go together/],
      {NATS_TLS_CA: File.join(tls.dir, "missing.pem")} => ["NATS_TLS_CA", /cannot read .*missing\.pem: ENOENT/],
      {NATS_TLS_CA: not_pem} => ["NATS_TLS_CA", /not\.pem is not a PEM certificate/],
      {NATS_TLS_CERT: not_pem, NATS_TLS_KEY: tls.path("client.key")} => ["NATS_TLS_CERT", /is not a PEM certificate/],
      {NATS_TLS_CERT: tls.path("client.pem"), NATS_TLS_KEY: not_pem} => ["NATS_TLS_KEY", /is not an unencrypted PEM private key/],
      {NATS_TLS_CERT: tls.path("client.pem"), NATS_TLS_KEY: tls.path("stranger.key")} =>
        ["NATS_TLS_KEY", /stranger\.key is not the key of the certificate in NATS_TLS_CERT/]
    }.each do |settings, (variable, message)|
      error = assert_raises(Switchyard::ConfigError, settings.inspect) do
        Switchyard::Config.from_env(settings.transform_keys(&:to_s))
      end
      assert_equal variable, error.variable, settings.inspect
      assert_match message, error.message
    end
  end
end
