# frozen_string_literal: true

require "base64"

module Users
  # The shared KV layout, identical in every implementation (see services/README.md).
  module Keys
    BUCKET = "users"
    USER_PREFIX = "user."
    # Every user's key, as a subject filter: ids are single key tokens.
    USERS = "#{USER_PREFIX}*"
    # A user id: one KV key token, and short (services/README.md): the ids the services make
    # (lowercase UUIDs, 36 characters) fit, and a client's id can never make a key (a NATS subject)
    # longer than the server's control line, which would cost the instance its connection.
    # proto/users/v1/users.proto says the same in its field rules. \z, not $: nats-pure's own key
    # check (KeyValue.is_valid_key) ends with `$` and lets "abc\n*" through.
    MAX_ID_LENGTH = 64
    ID = /\A[-_=A-Za-z0-9]{1,#{MAX_ID_LENGTH}}\z/
    # The rule as a client reads it in an error description.
    ID_RULE = "at most #{MAX_ID_LENGTH} characters of A-Z, a-z, 0-9, \"-\", \"_\" and \"=\""

    module_function

    def user(id)
      "#{USER_PREFIX}#{id}"
    end

    def id?(id)
      ID.match?(id)
    end

    # Emails are unique case-insensitively: A-Z as a-z and nothing else, as every language maps them
    # alike (emails are ASCII; String#downcase would also map U+212A KELVIN SIGN to "k"). base64url
    # keeps any address within KV's key alphabet.
    def email(email)
      "email.#{Base64.urlsafe_encode64(email.encode(Encoding::UTF_8).downcase(:ascii), padding: false)}"
    end
  end
end
