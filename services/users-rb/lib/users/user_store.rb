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
    # The guard of a write no deadline stops.
    UNGUARDED = -> {}

    # Opens the bucket, creating it when no implementation has yet.
    def self.open(js)
      new(bucket(js), js)
    end

    def self.bucket(js)
      js.key_value(Keys::BUCKET)
    rescue NATS::KeyValue::BucketNotFoundError
      begin
        Switchyard::KvReplicas.create(js.nc) { |replicas| js.create_key_value(BUCKET_CONFIG.merge(replicas: replicas)) }
      rescue NATS::JetStream::Error::APIError
        js.key_value(Keys::BUCKET) # another instance created it meanwhile
      end
    end

    # kv: the bucket. js: the JetStream context listings ask for the bucket's user keys (UserIds).
    def initialize(kv, js)
      @kv = kv
      @js = js
      @ids = UserIds.new(js)
    end

    # `guard` (of create, update, delete and list) is called right before each write that leads up to
    # a change, and before each read of a listing: it raises to stop (past the request's deadline,
    # Switchyard::Call#check_deadline!), and the store undoes what it wrote for the change. The write
    # that makes the change is the last one guarded: those that finish it (freeing an old email
    # claim) and undo writes are not, so a change is made whole or not at all.

    # Stores a new user; returns false, storing nothing, when its email is taken.
    def create(user, guard: UNGUARDED)
      unless user.email.empty?
        guard.call
        return false if claim_email(user.email, user.id) == :taken
      end

      begin
        guard.call
        @kv.put(Keys.user(user.id), V1::User.encode(user))
      rescue
        release_email(user.email) unless user.email.empty?
        raise
      end
      true
    end

    # Stores a new user whose id is derived from an idempotency key, at most once: several attempts
    # of one operation (retries, even at once, in any implementation) store one user, and each
    # returns :created or :replayed. The user's key is written with an update that expects no
    # revision of it, so exactly one attempt stores it; an attempt that finds it written, holding
    # the user or a delete marker, returns :replayed (a user deleted since is not made again). The
    # email claim names the id, so the attempts share it: one makes it, the others find it theirs.
    # Only the attempt that made it undoes it (past the deadline, a failed write, the user found
    # written), and keeps or claims it again when the user is stored with that email; an attempt
    # that stored the user over a claim it did not make claims the email again after its write. Of
    # an undo and a write that race, the later one sees the other's, so the stored user keeps its
    # claim. :email_taken when another user holds the email, storing nothing.
    def create_once(user, guard: UNGUARDED)
      key = Keys.user(user.id)
      return :replayed if written?(key)

      claim = nil
      unless user.email.empty?
        guard.call
        claim = claim_email(user.email, user.id)
        return written?(key) ? :replayed : :email_taken if claim == :taken
      end

      begin
        guard.call
        @kv.update(key, V1::User.encode(user), last: 0)
      rescue NATS::KeyValue::KeyWrongLastSequenceError
        undo_shared_claim(user) if claim == :claimed
        return :replayed
      rescue
        begin
          undo_shared_claim(user) if claim == :claimed
        rescue
          nil # the write's error is the one to report
        end
        raise
      end
      claim_email(user.email, user.id) if claim == :owned
      :created
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
    def list(after:, limit:, guard: UNGUARDED)
      users = []
      @ids.all.select { |id| id > after }.sort.each do |id|
        guard.call
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
    def update(stored, user, guard: UNGUARDED)
      old_email = stored.user.email
      moved = Keys.email(old_email) != Keys.email(user.email)
      claim = :kept
      if moved && !user.email.empty?
        guard.call
        claim = claim_email(user.email, user.id)
      end
      return :email_taken if claim == :taken

      begin
        guard.call
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
    def delete(id, guard: UNGUARDED)
      DELETE_ATTEMPTS.times do
        stored = read(id)
        return :not_found if stored.nil?

        guard.call
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

    # Undoes the claim a create_once attempt made, unless another attempt stored the user with the
    # email; and if one stored it while the claim was being freed, claims the email again.
    def undo_shared_claim(user)
      return if stored_with_email?(user)

      free_email(user.email, user.id)
      claim_email(user.email, user.id) if stored_with_email?(user)
    end

    # Whether the user is stored, with this user's email (in any case).
    def stored_with_email?(user)
      stored = read(user.id)
      !stored.nil? && Keys.email(stored.user.email) == Keys.email(user.email)
    end

    # Whether the key was ever written: it holds a value or a delete marker (no key here is purged).
    # nats-pure's get tells a deleted key from a missing one only privately, so this asks the stream.
    def written?(key)
      @js.get_last_msg(UserIds::STREAM, "$KV.#{Keys::BUCKET}.#{key}")
      true
    rescue NATS::JetStream::Error::NotFound
      false
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
