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
      raise email_taken unless @store.create(user)

      V1::CreateUserResponse.new(id: user.id, success: true)
    end

    def get_user(request, _call)
      require_id!(request.id)
      user = @store.find(request.id)
      raise not_found(request.id) if user.nil?

      V1::GetUserResponse.new(user: user)
    end

    def list_users(request, _call)
      page = PageRequest.from(request)
      users, more = @store.list(after: page.after, limit: page.size)
      V1::ListUsersResponse.new(users: users, next_page_token: more ? PageToken.encode(users.last.id) : "")
    end

    def update_user(request, _call)
      paths = UpdateUserValidator.validate!(request)
      id = request.user.id
      stored = @store.read(id)
      raise not_found(id) if stored.nil?

      user = stored.user.dup
      paths.each { |path| user[path] = request.user[path] }
      case @store.update(stored, user)
      when :email_taken then raise email_taken
      when :changed then raise changed_concurrently(id)
      end
      V1::UpdateUserResponse.new(user: user)
    end

    def delete_user(request, _call)
      require_id!(request.id)
      case @store.delete(request.id)
      when :not_found then raise not_found(request.id)
      when :changed then raise changed_concurrently(request.id)
      end
      V1::DeleteUserResponse.new
    end

    private

    def require_id!(id)
      raise UserFields.invalid("id", "id is required") if id.empty?
    end

    def not_found(id)
      Switchyard::ServiceError.new(:NOT_FOUND, "user #{id} not found")
    end

    def email_taken
      Switchyard::ServiceError.new(:ALREADY_EXISTS, "email is already taken", field: "user.email")
    end

    def changed_concurrently(id)
      Switchyard::ServiceError.new(:ABORTED, "user #{id} changed concurrently; retry")
    end
  end
end
