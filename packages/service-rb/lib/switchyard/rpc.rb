# frozen_string_literal: true

module Switchyard
  # One RPC of a contract as it is served: its endpoint name and subject, its service's full name
  # (users.v1.UserService), its Protobuf request and response classes, whether the client and the
  # server stream their messages, and the name of the handler method that implements it
  # (CreateUser => create_user).
  Rpc = Struct.new(:name, :subject, :service, :request_class, :response_class, :client_streaming, :server_streaming,
    keyword_init: true) do
    # Only unary and server-streaming RPCs can be served: one request each.
    def servable?
      !client_streaming
    end

    def handler
      name.gsub(/([A-Z]+)([A-Z][a-z])/, '\1_\2').gsub(/([a-z\d])([A-Z])/, '\1_\2').downcase.to_sym
    end

    def request_type
      request_class.descriptor.name
    end
  end
end
