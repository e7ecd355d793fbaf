# frozen_string_literal: true

module Users
  # A user as read from the bucket, with the KV revision it was read at: writing it back with that
  # revision fails if another request changed it meanwhile.
  StoredUser = Struct.new(:user, :revision, keyword_init: true)
end
