# frozen_string_literal: true

require_relative "test_helper"

# Switchyard::Server with an implementation that lacks GetUser and misbehaves on purpose.
class ServerTest < Support::NatsTest
  include Support::RpcAssertions

  class Misbehaving
    attr_accessor :mode

    def ping(_request, call)
      sleep 1 if call.request_id == "slow"
      case mode
      when :crash then raise "password=hunter2 in the connection string"
      when :nats_error then raise NATS::IO::Timeout, "nats: timeout"
      when :no_stream then raise NATS::JetStream::Error::NoStreamResponse, "nats: no response from stream"
      when :wrong_type then Users::V1::User.new
      when :service_error then raise Switchyard::ServiceError.new(:RESOURCE_EXHAUSTED, "slow down\r\nX: y", field: "a.b")
      else Users::V1::PingResponse.new(message: call.request_id.to_s, served_by: Users::V1::ServedBy.new(instance: call.instance_id))
      end
    end
  end

  class << self
    attr_reader :client, :server, :implementation, :log

    def start_suite
      @log = StringIO.new
      @implementation = Misbehaving.new
      @service_client = connect
      @server = Switchyard::Server.new(
        @service_client,
        contract: Switchyard::Contract.lookup("users.v1.UserService"),
        name: "misbehaving", version: "1.2.3",
        implementation: @implementation,
        logger: Switchyard::Log.new(@log, progname: "test")
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

  def setup
    self.class.implementation.mode = nil
  end

  def ping(header: nil)
    call_rpc("Ping", Users::V1::PingRequest.new, header: header)
  end

  def test_a_slow_request_does_not_hold_up_the_next_one_of_the_same_rpc
    slow = Thread.new { call_rpc("Ping", Users::V1::PingRequest.new, header: {"Switchyard-Request-Id" => "slow"}) }
    sleep 0.1
    fast = call_rpc("Ping", Users::V1::PingRequest.new, header: {"Switchyard-Request-Id" => "fast"})
    assert_equal "fast", assert_reply(fast, Users::V1::PingResponse).message
    assert slow.alive?, "the slow request is still being handled"
    assert_equal "slow", assert_reply(slow.value, Users::V1::PingResponse).message
  end

  def test_a_missing_handler_replies_unimplemented
    [Users::V1::CreateUserRequest.new, Users::V1::GetUserRequest.new(id: "x")].each do |request|
      rpc = request.class.descriptor.name.delete_prefix("users.v1.").delete_suffix("Request")
      assert_service_error call_rpc(rpc, request),
        reason: "UNIMPLEMENTED", status: 501, message: "users.v1.UserService.#{rpc} is not implemented"
    end
    assert_match(/GetUser has no handler/, self.class.log.string)
  end

  def test_every_rpc_is_an_endpoint_even_without_a_handler
    names = srv("INFO", "misbehaving").fetch("endpoints").map { |e| e["name"] }
    assert_equal %w[Ping CreateUser GetUser ListUsers UpdateUser DeleteUser], names
  end

  def test_handlers_get_the_instance_id_and_request_id
    response = assert_reply(ping(header: {"Switchyard-Request-Id" => "req-42"}), Users::V1::PingResponse)

    assert_equal "req-42", response.message
    assert_equal self.class.server.instance_id, response.served_by.instance
  end

  def test_a_crash_is_internal_without_details_and_logged
    self.class.implementation.mode = :crash
    assert_service_error ping(header: {"Switchyard-Request-Id" => "req-7"}), reason: "INTERNAL", status: 500, message: "internal error"

    log = self.class.log.string
    assert_match(/users\.v1\.UserService\.Ping \(request req-7\): RuntimeError: password=hunter2/, log)
  end

  def test_a_nats_error_in_a_handler_does_not_stop_the_service
    self.class.implementation.mode = :nats_error
    assert_service_error ping, reason: "UNAVAILABLE", status: 503, message: "a backing system is unavailable; retry shortly"
    self.class.implementation.mode = :no_stream
    assert_service_error ping, reason: "UNAVAILABLE", status: 503, message: "a backing system is unavailable; retry shortly"

    self.class.implementation.mode = nil
    assert_reply(ping, Users::V1::PingResponse) # nats-pure stops the whole service on a NATS::Error
  end

  def test_a_response_of_the_wrong_type_is_internal
    self.class.implementation.mode = :wrong_type
    assert_service_error ping, reason: "INTERNAL", status: 500, message: "internal error"
  end

  def test_a_service_error_carries_its_code_status_and_field_on_one_line
    self.class.implementation.mode = :service_error
    assert_service_error ping, reason: "RESOURCE_EXHAUSTED", status: 429, message: "slow down X: y", field: "a.b"
  end

  def test_a_request_without_reply_subject_is_served_without_reply
    self.class.implementation.mode = :crash
    client.publish("users.v1.UserService.Ping", "")
    client.flush

    self.class.implementation.mode = nil
    assert_reply(ping, Users::V1::PingResponse)
  end
end
