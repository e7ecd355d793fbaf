# frozen_string_literal: true

require "digest"
require "securerandom"

module Users
  # The id of a new user (services/README.md, CreateUser): a random UUID v4, or, for a request with
  # an idempotency key, the UUID v8 (RFC 9562) made of the first 16 bytes of SHA-256 of the key's 64
  # characters, so every attempt of one operation, in any implementation, creates the same user.
  module NewUserId
    module_function

    def for(idempotency_key)
      return SecureRandom.uuid if idempotency_key.nil?

      bytes = Digest::SHA256.digest(idempotency_key).bytes.first(16)
      bytes[6] = (bytes[6] & 0x0f) | 0x80 # version 8
      bytes[8] = (bytes[8] & 0x3f) | 0x80 # variant 10
      hex = bytes.pack("C*").unpack1("H*")
      [hex[0, 8], hex[8, 4], hex[12, 4], hex[16, 4], hex[20, 12]].join("-")
    end
  end
end
