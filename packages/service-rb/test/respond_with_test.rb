# frozen_string_literal: true

require_relative "test_helper"

# Call#respond_with (the TypeScript SDK's respondWith): the HTTP status and headers a handler asks
# the gateway to answer a success with travel on the success reply, the first message of a stream,
# and never on an error reply.
class RespondWithTest < Support::EchoServerTest
  include Support::RpcAssertions

  STATUS = Switchyard::Protocol::HEADERS[:http_status]
  LOCATION = "#{Switchyard::Protocol::HEADERS[:http_header_prefix]}Location"

  class Handlers
    # "created": 201 and a Location; "refused": asks, then fails.
    def echo(request, call)
      call.respond_with(status: 201, headers: {"Location" => "/items/#{request.text}\r\nX-Forged: 1"})
      raise Switchyard::ServiceError.new(:ALREADY_EXISTS, "exists") if request.text == "refused"

      Echo::V1::EchoResponse.new(text: request.text)
    end

    def stream(_request, call)
      call.respond_with(headers: {"Location" => "/items", "Deployment" => call.deployment})
      2.times { |i| yield Echo::V1::StreamResponse.new(item: Echo::V1::Item.new(id: "i#{i}")) }
    end
  end

  class << self
    def new_implementation
      Handlers.new
    end

    def server_options
      {name: "responds"}
    end
  end

  def test_a_success_carries_the_status_and_headers_asked_for_one_line_each
    reply = call_rpc("Echo", Echo::V1::EchoRequest.new(text: "created"))
    assert_equal "created", assert_reply(reply, Echo::V1::EchoResponse).text
    assert_equal "201", reply.header[STATUS]
    assert_equal "/items/created X-Forged: 1", reply.header[LOCATION].dup.force_encoding(Encoding::UTF_8)
  end

  def test_an_error_reply_carries_neither
    reply = call_rpc("Echo", Echo::V1::EchoRequest.new(text: "refused"))
    assert_service_error reply, reason: "ALREADY_EXISTS", status: 409, message: "exists"
    refute reply.header.key?(STATUS)
    refute reply.header.key?(LOCATION)
  end

  def test_a_stream_carries_them_on_its_first_message_only
    data = Echo::V1::StreamRequest.encode(Echo::V1::StreamRequest.new)
    stream = Support::StreamClient.new(client, "echo.v1.EchoService.Stream", data)
    messages = stream.to_end
    stream.close

    assert_equal ["/items", nil, nil], messages.map { |msg| msg.header[LOCATION] }
    refute messages.first.header.key?(STATUS)
    assert_equal "responds-rb", messages.first.header["#{Switchyard::Protocol::HEADERS[:http_header_prefix]}Deployment"]
  end
end
