# frozen_string_literal: true

require "securerandom"

module Users
  # users.v1.UserService: one public method per RPC (Ping => ping), each taking the decoded request
  # and the Switchyard::Call, returning the RPC's response message.
  class UserService
    def initialize(store:)
      @store = store
    end

    def ping(_request, call)
      V1::PingResponse.new(
        message: "pong",
        served_by: V1::ServedBy.new(service: NAME, language: Switchyard::Protocol::LANGUAGE, instance: call.instance_id)
      )
    end

    def create_user(request, _call)
      CreateUserValidator.validate!(request)
      sent = request.user
      user = V1::User.new(id: SecureRandom.uuid, first_name: sent.first_name, last_name: sent.last_name, email: sent.email)
      unless @store.create(user)
        raise Switchyard::ServiceError.new(:ALREADY_EXISTS, "email is already taken", field: "user.email")
      end

      V1::CreateUserResponse.new(id: user.id, success: true)
    end

    def get_user(request, _call)
      raise Switchyard::ServiceError.new(:INVALID_ARGUMENT, "id is required", field: "id") if request.id.empty?

      user = @store.find(request.id)
      raise Switchyard::ServiceError.new(:NOT_FOUND, "user #{request.id} not found") if user.nil?

      V1::GetUserResponse.new(user: user)
    end
  end
end
