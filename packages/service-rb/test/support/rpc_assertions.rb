# frozen_string_literal: true

module Support
  # Sends requests to a contract's service over NATS and checks replies as the gateway reads them.
  module RpcAssertions
    include LogLines

    class << self
      # The service under test, set by test_helper: its contract ("echo.v1.EchoService") and its
      # micro service name ("echo", as in $SRV.INFO.echo).
      attr_accessor :contract, :name
    end

    DEPLOYMENT_HEADER = "Switchyard-Deployment"
    TIMEOUT = 5
    # Status: NATS's own (503 no responders).
    ERROR_HEADERS = [*Switchyard::Protocol::HEADERS.values_at(:service_error, :service_error_code, :error_reason, :error_field), "Status"].freeze

    # deployment: send to that deployment's subject instead of the contract's shared one.
    def call_rpc(rpc, message, header: nil, deployment: nil)
      data = message.is_a?(String) ? message : message.class.encode(message)
      options = {timeout: TIMEOUT}
      options[:header] = header if header
      subject = "#{RpcAssertions.contract}.#{rpc}"
      subject = "switchyard.deployment.#{deployment}.#{subject}" if deployment
      client.request(subject, data, **options)
    end

    # Every reply names the deployment that answered: `deployment` when given.
    def assert_reply(reply, response_class, deployment: nil)
      present = ERROR_HEADERS & (reply.header || {}).keys
      assert_empty present, "expected a success reply, got error headers #{reply.header.inspect}"
      assert_deployment_header(reply, deployment)
      response_class.decode(reply.data)
    end

    def assert_service_error(reply, reason:, status:, message:, field: nil, deployment: nil)
      # nats-pure hands header values over as binary strings; ours are UTF-8.
      header = (reply.header || {}).transform_values { |value| value.dup.force_encoding(Encoding::UTF_8) }
      assert_equal "", reply.data, "an error reply has an empty body"
      assert_deployment_header(reply, deployment)
      assert_equal reason, header["Switchyard-Error-Reason"]
      assert_equal status.to_s, header["Nats-Service-Error-Code"]
      assert_equal message, header["Nats-Service-Error"]
      if field
        assert_equal field, header["Switchyard-Error-Field"]
      else
        refute header.key?("Switchyard-Error-Field"), "no field expected, got #{header["Switchyard-Error-Field"].inspect}"
      end
    end

    def assert_deployment_header(reply, deployment)
      value = reply.header&.fetch(DEPLOYMENT_HEADER, nil)
      refute_nil value, "every reply has #{DEPLOYMENT_HEADER}: #{reply.header.inspect}"
      assert_equal deployment, value if deployment
    end

    def srv(verb, name = RpcAssertions.name)
      JSON.parse(client.request("$SRV.#{verb}.#{name}", "", timeout: TIMEOUT).data)
    end
  end
end
