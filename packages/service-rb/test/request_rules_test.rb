# frozen_string_literal: true

require_relative "test_helper"

# The contract's field rules (test/proto/echo/v1/echo.proto) checked by a Switchyard::Server before
# a handler runs: the first rule broken is answered INVALID_ARGUMENT with the rule's message and the
# field, as the gateway and the TypeScript SDK answer it (@switchyard/protocol's ruleViolation).
class RequestRulesTest < Support::EchoServerTest
  include Support::RpcAssertions

  # Records the requests its handlers get: a request that breaks a rule must not reach one.
  class Recorder
    attr_reader :seen

    def initialize
      @seen = Queue.new
    end

    def echo(request, _call)
      @seen << request
      Echo::V1::EchoResponse.new(text: request.text)
    end

    def update(request, _call)
      @seen << request
      Echo::V1::UpdateResponse.new(item: request.item)
    end

    def stream(request, _call)
      @seen << request
      yield Echo::V1::StreamResponse.new(item: Echo::V1::Item.new(id: "one"))
    end
  end

  class << self
    def new_implementation
      Recorder.new
    end

    def server_options
      {name: "rules"}
    end
  end

  def seen
    self.class.implementation.seen
  end

  def assert_refused(reply, message:, field:)
    assert_service_error reply, reason: "INVALID_ARGUMENT", status: 400, message: message, field: field
    assert_empty seen, "the handler did not run"
  end

  def test_a_standard_rule_broken_is_answered_with_protovalidates_message_and_the_field
    assert_refused call_rpc("Echo", Echo::V1::EchoRequest.new(text: "x" * 201)),
      message: "must be at most 200 characters", field: "text"
  end

  def test_a_rule_on_the_request_message_names_the_field_of_its_id
    assert_refused call_rpc("Update", Echo::V1::UpdateRequest.new), message: "item is required", field: "item"
  end

  def test_a_rule_on_a_message_field_names_the_field_of_its_id_within_it
    assert_refused call_rpc("Update", Echo::V1::UpdateRequest.new(item: Echo::V1::Item.new(text: "t"))),
      message: "item.id is required", field: "item.id"
  end

  def test_a_request_within_its_rules_reaches_the_handler
    reply = call_rpc("Update", Echo::V1::UpdateRequest.new(item: Echo::V1::Item.new(id: "u")))
    assert_equal "u", assert_reply(reply, Echo::V1::UpdateResponse).item.id
    assert_equal "u", seen.pop(true).item.id
    assert_equal "x" * 200, assert_reply(call_rpc("Echo", Echo::V1::EchoRequest.new(text: "x" * 200)), Echo::V1::EchoResponse).text
    seen.clear
  end

  def test_a_stream_whose_request_breaks_a_rule_ends_with_the_error_before_any_message
    data = Echo::V1::StreamRequest.encode(Echo::V1::StreamRequest.new(after_id: "a" * 21))
    stream = Support::StreamClient.new(client, "echo.v1.EchoService.Stream", data)
    messages = stream.to_end
    stream.close

    assert_equal 1, messages.size
    assert_refused messages.first, message: "after_id must be at most 20 characters", field: "after_id"
  end

  def test_a_request_that_does_not_decode_is_answered_as_before
    assert_service_error call_rpc("Echo", "\xff\xff".b), reason: "INVALID_ARGUMENT", status: 400,
      message: "request is not a valid echo.v1.EchoRequest"
  end

  # A rule that cannot be evaluated on a request does not refuse it: the handler decides, and the
  # failure is logged (@bufbuild/protovalidate's "error" result in the TypeScript SDK).
  def test_a_rule_that_fails_to_evaluate_lets_the_request_through_and_is_logged
    failing = Object.new
    def failing.violation(_message) = raise(Switchyard::Protovalidate::EvaluationError, "no such overload")
    original = Switchyard::RequestRules::VALIDATOR
    Switchyard::RequestRules.send(:remove_const, :VALIDATOR)
    Switchyard::RequestRules.const_set(:VALIDATOR, failing)
    begin
      reply = call_rpc("Echo", Echo::V1::EchoRequest.new(text: "x" * 201), header: {"Switchyard-Request-Id" => "eval"})
    ensure
      Switchyard::RequestRules.send(:remove_const, :VALIDATOR)
      Switchyard::RequestRules.const_set(:VALIDATOR, original)
    end
    assert_equal "x" * 201, assert_reply(reply, Echo::V1::EchoResponse).text
    seen.clear
    entry = log_entry(self.class.log.string, /a field rule could not be checked: no such overload/)
    assert_equal "eval", entry["reqId"]
  end
end
