# frozen_string_literal: true

require "base64"

module Users
  # The shared KV layout, identical in every implementation (see services/README.md).
  module Keys
    BUCKET = "users"
    USER_PREFIX = "user."
    # Every user's key, as a subject filter: ids are single key tokens.
    USERS = "#{USER_PREFIX}*"
    # An id that can be stored: one KV key token (services/README.md), so no stored user has another.
    # \z, not $: nats-pure's own key check (KeyValue.is_valid_key) ends with `$` and lets "abc\n*" through.
    ID = /\A[-_=A-Za-z0-9]+\z/

    module_function

    def user(id)
      "#{USER_PREFIX}#{id}"
    end

    def id?(id)
      ID.match?(id)
    end

    # Emails are unique case-insensitively; base64url keeps any address within KV's key alphabet.
    def email(email)
      "email.#{Base64.urlsafe_encode64(email.downcase.encode(Encoding::UTF_8), padding: false)}"
    end
  end
end
