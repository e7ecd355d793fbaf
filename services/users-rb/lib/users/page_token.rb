# frozen_string_literal: true

require "base64"

module Users
  # ListUsers' page token: base64url, without padding, of the last id of the previous page. Opaque
  # to clients, but the same in every implementation, so any one continues a listing another began.
  module PageToken
    ALPHABET = /\A[-_A-Za-z0-9]+\z/
    # base64url (no padding) of the longest id: no token of ours is longer.
    MAX_LENGTH = (Keys::MAX_ID_LENGTH * 4.0 / 3).ceil

    module_function

    def encode(id)
      Base64.urlsafe_encode64(id, padding: false)
    end

    # The id a token continues after, or nil when it is no token of ours: it must be the exact
    # encoding of an id that can be stored (no padding, no stray bits, no other characters).
    def decode(token)
      return nil unless token.length <= MAX_LENGTH && ALPHABET.match?(token)

      id = Base64.urlsafe_decode64(token).force_encoding(Encoding::UTF_8)
      id if id.valid_encoding? && Keys.id?(id) && encode(id) == token
    rescue ArgumentError # a length no encoding has
      nil
    end
  end
end
