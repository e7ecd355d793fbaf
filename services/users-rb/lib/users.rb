# frozen_string_literal: true

# users.v1.UserService in Ruby, on the Switchyard service SDK (packages/service-rb) with the
# contract's generated code (packages/contracts-rb).
require "switchyard"
require "switchyard/contracts"
require "users/v1/users_pb"

require_relative "users/constants"
require_relative "users/settings"
require_relative "users/keys"
require_relative "users/new_user_id"
require_relative "users/page_token"
require_relative "users/stored_user"
require_relative "users/user_ids"
require_relative "users/user_store"
require_relative "users/user_fields"
require_relative "users/update_user_validator"
require_relative "users/page_request"
require_relative "users/user_service"
require_relative "users/app"
