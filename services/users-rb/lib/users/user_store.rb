# frozen_string_literal: true

module Users
  # Users in the JetStream KV bucket every implementation shares. An email belongs to at most one
  # user: its key is claimed with a KV create, which fails when the key exists, so two instances
  # cannot both win it.
  class UserStore
    # The settings of every implementation: nats.js also enables direct get on nats-server >= 2.9.
    BUCKET_CONFIG = {bucket: Keys::BUCKET, history: 1, storage: "file", direct: true}.freeze
    # JetStream's error code when a write's expected revision is not the key's last.
    WRONG_LAST_SEQUENCE = 10071
    # How often delete reads the user again when it changed between read and delete.
    DELETE_ATTEMPTS = 3

    # Opens the bucket, creating it when no implementation has yet.
    def self.open(js)
      new(bucket(js), js)
    end

    def self.bucket(js)
      js.key_value(Keys::BUCKET)
    rescue NATS::KeyValue::BucketNotFoundError
      begin
        js.create_key_value(BUCKET_CONFIG.dup)
      rescue NATS::JetStream::Error::APIError
        js.key_value(Keys::BUCKET) # another instance created it meanwhile
      end
    end

    # kv: the bucket. js: the JetStream context listings ask for the bucket's user keys (UserIds).
    def initialize(kv, js)
      @kv = kv
      @ids = UserIds.new(js)
    end

    # Stores a new user; returns false, storing nothing, when its email is taken.
    def create(user)
      return false if !user.email.empty? && claim_email(user.email, user.id) == :taken

      begin
        @kv.put(Keys.user(user.id), V1::User.encode(user))
      rescue
        release_email(user.email) unless user.email.empty?
        raise
      end
      true
    end

    # The user, or nil when there is none with that id.
    def find(id)
      read(id)&.user
    end

    # The user and the revision it was read at (a StoredUser), or nil when there is none.
    def read(id)
      return nil unless Keys.id?(id) # "a*b" or "x y" cannot be an id we gave

      entry = @kv.get(Keys.user(id))
      StoredUser.new(user: V1::User.decode(entry.value), revision: Integer(entry.revision))
    rescue NATS::KeyValue::KeyNotFoundError # deleted keys too
      nil
    end

    # The first `limit` users whose ids come after `after` in byte order, and whether more follow.
    # The ids are the user keys stored when the listing starts; each is then read in id order until
    # the page is full and one more user is found, skipping those deleted (delete markers included).
    # A page starts after an id, not at an offset, so users added or deleted between pages make a
    # listing neither repeat nor skip the others. One STREAM.INFO request, then one get per key
    # read: each has the JetStream timeout, so a listing ends or raises, and never waits for more.
    def list(after:, limit:)
      users = []
      @ids.all.select { |id| id > after }.sort.each do |id|
        user = find(id)
        next if user.nil?
        return [users, true] if users.size == limit

        users << user
      end
      [users, false]
    end

    # Writes `user` over `stored` (same id) unless another request changed it since it was read.
    # A new email is claimed before the write, and released again if the write fails; the old one
    # is freed after it. An email changed only in case keeps its claim (the key is the same).
    # Returns :updated, :email_taken, or :changed (concurrently: nothing is written).
    def update(stored, user)
      old_email = stored.user.email
      moved = Keys.email(old_email) != Keys.email(user.email)
      claim = (moved && !user.email.empty?) ? claim_email(user.email, user.id) : :kept
      return :email_taken if claim == :taken

      begin
        @kv.update(Keys.user(user.id), V1::User.encode(user), last: stored.revision)
      rescue NATS::KeyValue::KeyWrongLastSequenceError
        release_email(user.email) if claim == :claimed
        return :changed
      rescue
        release_email(user.email) if claim == :claimed
        raise
      end
      free_email(old_email, user.id) if moved && !old_email.empty?
      :updated
    end

    # Deletes the user, then frees its email. The delete names the revision read, so an email that
    # a concurrent UpdateUser gave the user is the one freed. Returns :deleted, :not_found, or
    # :changed when the user changed between read and delete every time it tried.
    def delete(id)
      DELETE_ATTEMPTS.times do
        stored = read(id)
        return :not_found if stored.nil?
        next unless delete_key(Keys.user(id), stored.revision)

        free_email(stored.user.email, id) unless stored.user.email.empty?
        return :deleted
      end
      :changed
    end

    private

    # :claimed when this claims the email for the user, :owned when the user holds it already (left
    # by an update or delete that failed half-way), :taken when another user holds it.
    def claim_email(email, id)
      @kv.create(Keys.email(email), id)
      :claimed
    rescue NATS::KeyValue::KeyWrongLastSequenceError
      (owner_entry(email)&.value == id) ? :owned : :taken
    end

    # Undoes a claim this request made, when the write it was for failed.
    def release_email(email)
      @kv.delete(Keys.email(email))
    rescue
      nil # the write's error is the one to report
    end

    # Frees the email if the user still holds it; a claim another user made since stays theirs.
    def free_email(email, id)
      entry = owner_entry(email)
      delete_key(Keys.email(email), entry.revision) if entry&.value == id
    end

    def owner_entry(email)
      @kv.get(Keys.email(email))
    rescue NATS::KeyValue::KeyNotFoundError
      nil
    end

    # Deletes the key if `revision` is still its last; false when it is not. A direct get gives the
    # revision as a String: nats-pure's delete compares it with 0.
    def delete_key(key, revision)
      @kv.delete(key, last: Integer(revision))
      true
    rescue NATS::JetStream::Error::APIError => error
      raise unless error.err_code == WRONG_LAST_SEQUENCE

      false
    end
  end
end
