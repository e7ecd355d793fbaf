# frozen_string_literal: true

require "base64"

module Users
  # The shared KV layout, identical in every implementation (see services/README.md).
  module Keys
    BUCKET = "users"
    # A key's tokens: KV's key alphabet, no empty token. nats-pure's own check (KeyValue.is_valid_key)
    # ends its pattern with `$`, which lets "abc\n*" through.
    KEY = %r{\A[-/_=a-zA-Z0-9]+(?:\.[-/_=a-zA-Z0-9]+)*\z}

    module_function

    def user(id)
      "user.#{id}"
    end

    def valid?(key)
      KEY.match?(key)
    end

    # Emails are unique case-insensitively; base64url keeps any address within KV's key alphabet.
    def email(email)
      "email.#{Base64.urlsafe_encode64(email.downcase.encode(Encoding::UTF_8), padding: false)}"
    end
  end
end
