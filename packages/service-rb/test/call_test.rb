# frozen_string_literal: true

require_relative "test_helper"

class CallTest < Minitest::Test
  def call_with(headers)
    Switchyard::Call.new(rpc: nil, instance_id: "i", headers: headers)
  end

  def test_reads_the_gateway_headers
    call = call_with({
      "Switchyard-Request-Id" => "req-1",
      "traceparent" => "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "Switchyard-Meta-Tenant" => "acme"
    })
    assert_equal "req-1", call.request_id
    assert_equal "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", call.traceparent
    assert_equal "acme", call.metadata("Tenant")
    assert_nil call.metadata("Other")
  end

  def test_reads_metadata_whatever_the_case_of_its_name
    call = call_with({"Switchyard-Meta-tenant" => "acme"})
    assert_equal "acme", call.metadata("Tenant")
    assert_equal "acme", call.metadata("tenant")
  end

  def test_has_nothing_without_headers
    call = call_with(nil)
    assert_nil call.request_id
    assert_nil call.traceparent
    assert_nil call.metadata("Tenant")
    assert_nil call.idempotency_key
  end

  TOKEN = "0123456789abcdef" * 4

  def test_reads_the_idempotency_key_the_gateway_sent
    assert_equal TOKEN, call_with({"Switchyard-Idempotency-Key" => TOKEN}).idempotency_key
    assert_equal TOKEN, call_with({"Switchyard-Idempotency-Key" => TOKEN.b}).idempotency_key, "as nats-pure hands it over"
    assert_nil call_with({"Switchyard-Request-Id" => "r"}).idempotency_key
  end

  def test_a_malformed_idempotency_key_is_none
    ["", TOKEN[1..], "#{TOKEN}0", TOKEN.upcase, "#{TOKEN[1..]}g", " #{TOKEN}", "#{TOKEN}\n", "#{TOKEN},#{TOKEN}", ["x"]].each do |value|
      assert_nil call_with({"Switchyard-Idempotency-Key" => value}).idempotency_key, value.inspect
    end
  end

  def test_the_idempotency_key_never_comes_from_metadata
    assert_nil call_with({"Switchyard-Meta-Idempotency-Key" => TOKEN}).idempotency_key
  end
end

# The deadline and the verified identity a handler reads from its Call.
class CallDeadlineAndAuthTest < Minitest::Test
  def call_with(headers, received_at: Switchyard::Deadline.now, log: StringIO.new)
    deadline = Switchyard::Deadline.from_headers(headers, received_at: received_at)
    Switchyard::Call.new(
      rpc: nil, instance_id: "i", headers: headers, deadline: deadline,
      malformed_auth: Switchyard::MalformedAuthLog.new(Switchyard::Log.new(log, progname: "test"))
    )
  end

  def test_the_deadline_counts_switchyard_timeout_ms_from_receipt
    before = Time.now
    call = call_with({"Switchyard-Timeout-Ms" => "5000"})

    assert_in_delta before + 5, call.deadline, 0.1
    assert_in_delta 5.0, call.remaining, 0.1
    refute call.expired?
    call.check_deadline!
  end

  def test_time_spent_before_the_handler_counts
    call = call_with({"Switchyard-Timeout-Ms" => "100"}, received_at: Switchyard::Deadline.now - 0.2)

    assert call.expired?
    assert_equal 0.0, call.remaining
    error = assert_raises(Switchyard::ServiceError) { call.check_deadline! }
    assert_equal [:DEADLINE_EXCEEDED, 504, "deadline exceeded"], [error.code, error.status, error.message]
  end

  def test_zero_ms_is_already_late
    assert call_with({"Switchyard-Timeout-Ms" => "0"}).expired?
  end

  def test_a_missing_or_malformed_timeout_is_no_deadline_and_logs_nothing
    log = StringIO.new
    [nil, {}, {"Switchyard-Timeout-Ms" => nil}, *["", "abc", "-5", "1.5", "1 0", "1e3", "+10", "0x10", "12345678901"].map { |v| {"Switchyard-Timeout-Ms" => v} }].each do |headers|
      call = call_with(headers, log: log)
      assert_nil call.deadline, headers.inspect
      assert_nil call.remaining
      refute call.expired?
      call.check_deadline!
    end
    assert_empty log.string
  end

  CLAIMS = '{"sub":"user-42","iss":"https://issuer.example","roles":["admin"],"name":"J\\u00f6rg"}'

  def test_auth_is_the_verified_subject_and_claims
    auth = call_with({"Switchyard-Auth-Subject" => "user-42", "Switchyard-Auth-Claims" => CLAIMS.b}).auth

    assert_equal "user-42", auth.subject
    assert_equal({"sub" => "user-42", "iss" => "https://issuer.example", "roles" => ["admin"], "name" => "Jörg"}, auth.claims)
    assert auth.frozen? && auth.claims.frozen? && auth.claims["roles"].frozen?
  end

  def test_no_auth_without_the_headers
    assert_nil call_with(nil).auth
    assert_nil call_with({"Switchyard-Request-Id" => "r"}).auth
  end

  def test_auth_never_comes_from_metadata_nor_metadata_from_auth
    forged = call_with({"Switchyard-Meta-Auth-Subject" => "forged", "Switchyard-Meta-Auth-Claims" => '{"sub":"forged"}'})
    assert_nil forged.auth

    verified = call_with({"Switchyard-Auth-Subject" => "user-42", "Switchyard-Auth-Claims" => CLAIMS})
    assert_nil verified.metadata("Auth-Subject")
    assert_nil verified.metadata("Auth-Claims")
  end

  def test_malformed_auth_is_no_identity_and_is_logged_once
    log = StringIO.new
    logger = Switchyard::MalformedAuthLog.new(Switchyard::Log.new(log, progname: "test"))
    ["{not json", "[1,2]", '"text"', "null"].each do |claims|
      headers = {"Switchyard-Auth-Subject" => "user-42", "Switchyard-Auth-Claims" => claims}
      assert_nil Switchyard::Call.new(rpc: nil, instance_id: "i", headers: headers, malformed_auth: logger).auth, claims
    end
    assert_nil Switchyard::Call.new(rpc: nil, instance_id: "i", headers: {"Switchyard-Auth-Subject" => "user-42"}, malformed_auth: logger).auth

    lines = log.string.lines
    assert_equal 1, lines.size, log.string
    assert_match(/malformed auth headers \(Switchyard-Auth-Claims is not JSON\)/, JSON.parse(lines.first)["msg"])
    refute_match(/user-42/, log.string)
  end
end
