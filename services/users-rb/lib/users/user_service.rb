# frozen_string_literal: true

module Users
  # users.v1.UserService: one public method per RPC (Ping => ping), each taking the decoded request
  # and the Switchyard::Call, returning the RPC's response message (StreamUsers yields its messages).
  class UserService
    # StreamUsers reads the store a listing page of this many users at a time.
    STREAM_PAGE_SIZE = 100

    # ping_shows_instance: whether Ping names the instance (PING_SHOWS_INSTANCE), or leaves it empty.
    def initialize(store:, ping_shows_instance: true)
      @store = store
      @ping_shows_instance = ping_shows_instance
    end

    def ping(_request, call)
      V1::PingResponse.new(
        message: "pong",
        served_by: V1::ServedBy.new(
          service: NAME, language: Switchyard::Protocol::LANGUAGE, instance: @ping_shows_instance ? call.instance_id : ""
        )
      )
    end

    # Past the request's deadline, each handler that writes stops before its next write that leads
    # up to the change (guard), and a listing before its next read: services/README.md, Deadlines.
    # With an idempotency key, the id is derived from it and the user stored at most once: a retry
    # of a create that was applied answers its id (services/README.md, CreateUser).
    # The contract's rules (checked by the SDK before a handler runs) have required the user, both
    # names and no id, and a valid email when one is set; its uniqueness is the store's to tell.
    def create_user(request, call)
      sent = request.user
      key = call.idempotency_key
      user = V1::User.new(id: NewUserId.for(key), first_name: sent.first_name, last_name: sent.last_name, email: sent.email)
      outcome = if key.nil?
        @store.create(user, guard: guard(call)) ? :created : :email_taken
      else
        @store.create_once(user, guard: guard(call))
      end
      raise email_taken if outcome == :email_taken

      V1::CreateUserResponse.new(id: user.id, success: true)
    end

    def get_user(request, _call)
      user = @store.find(request.id)
      raise not_found(request.id) if user.nil?

      V1::GetUserResponse.new(user: user)
    end

    def list_users(request, call)
      page = PageRequest.from(request)
      users, more = @store.list(after: page.after, limit: page.size, guard: guard(call))
      V1::ListUsersResponse.new(users: users, next_page_token: more ? PageToken.encode(users.last.id) : "")
    end

    # The listing's pages, one user a message. Each yield returns once the caller's credit allows the
    # message; when the caller cancels or the deadline comes, the SDK stops the stream at the yield.
    def stream_users(request, call)
      after = request.after_id
      loop do
        users, more = @store.list(after: after, limit: STREAM_PAGE_SIZE, guard: guard(call))
        users.each { |user| yield V1::StreamUsersResponse.new(user: user) }
        break unless more

        after = users.last.id
      end
    end

    def update_user(request, call)
      paths = UpdateUserValidator.validate!(request)
      id = request.user.id
      stored = @store.read(id)
      raise not_found(id) if stored.nil?

      user = stored.user.dup
      paths.each { |path| user[path] = request.user[path] }
      case @store.update(stored, user, guard: guard(call))
      when :email_taken then raise email_taken
      when :changed then raise changed_concurrently(id)
      end
      V1::UpdateUserResponse.new(user: user)
    end

    def delete_user(request, call)
      case @store.delete(request.id, guard: guard(call))
      when :not_found then raise not_found(request.id)
      when :changed then raise changed_concurrently(request.id)
      end
      V1::DeleteUserResponse.new
    end

    private

    def guard(call)
      -> { call.check_deadline! }
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
