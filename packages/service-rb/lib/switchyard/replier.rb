# frozen_string_literal: true

module Switchyard
  # Sends the reply a request gets, success or error (or each message of a stream), as a fresh message: NATS::Msg#respond
  # would copy the request's headers into the reply, and Service::Request#respond_with_error can
  # carry only the two Nats-Service-Error headers. Every reply names the instance's deployment
  # (Switchyard-Deployment), so the gateway knows which one answered.
  class Replier
    # A header value is one line: control characters (CR, LF, ...) would end it or forge others.
    CONTROL = /[[:cntrl:]]+/

    # stats: the endpoint's NATS::Service::Stats (see Route#stats); deployment: its name.
    def initialize(request, stats:, deployment:)
      @request = request
      @stats = stats
      @deployment = deployment
    end

    # header: more headers (a stream's message sends several replies, each numbered).
    def reply(data, header = {})
      publish(data, header)
    end

    # Counts the error in the endpoint's $SRV.STATS (num_errors, last_error "409:email is already
    # taken") as respond_with_error would, then replies with every Switchyard error header.
    def error(error, header = {})
      headers = error_headers(error)
      @stats&.error({code: error.status, description: headers[Protocol::HEADERS[:service_error]]})
      publish("", headers.merge(header))
    end

    private

    def publish(data, header = {})
      reply = @request.reply
      return if reply.nil? || reply.empty? # published without a reply subject: nobody to answer

      header = {Protocol::HEADERS[:deployment] => @deployment}.merge(header)
      @request.respond_msg(NATS::Msg.new(subject: reply, data: data, header: header))
    end

    def error_headers(error)
      headers = {
        Protocol::HEADERS[:service_error] => error.message,
        Protocol::HEADERS[:service_error_code] => error.status.to_s,
        Protocol::HEADERS[:error_reason] => error.code.to_s
      }
      headers[Protocol::HEADERS[:error_field]] = error.field if error.field
      headers.transform_values { |value| value.gsub(CONTROL, " ") }
    end
  end
end
