# frozen_string_literal: true

module Users
  # The micro service name shown by discovery ($SRV.PING.users) and in Ping's served_by.
  NAME = "users"
  VERSION = "0.1.0"
  # The contract this service implements, as named in proto/users/v1/users.proto.
  CONTRACT = "users.v1.UserService"
end
