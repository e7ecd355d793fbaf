# frozen_string_literal: true

module Users
  # Users in the JetStream KV bucket every implementation shares.
  class UserStore
    # The settings of every implementation: nats.js also enables direct get on nats-server >= 2.9.
    BUCKET_CONFIG = {bucket: Keys::BUCKET, history: 1, storage: "file", direct: true}.freeze

    # Opens the bucket, creating it when no implementation has yet.
    def self.open(js)
      new(bucket(js))
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

    def initialize(kv)
      @kv = kv
    end

    # Stores a new user; returns false, storing nothing, when its email is taken. The email is
    # claimed with a KV create, which fails when the key exists, so two instances cannot both win.
    def create(user)
      return false if !user.email.empty? && !claim_email(user)

      begin
        @kv.put(Keys.user(user.id), V1::User.encode(user))
      rescue
        release_email(user) unless user.email.empty?
        raise
      end
      true
    end

    # The user, or nil when there is none with that id.
    def find(id)
      key = Keys.user(id)
      return nil unless Keys.valid?(key) # "a*b" or "x y" cannot be an id we gave

      V1::User.decode(@kv.get(key).value)
    rescue NATS::KeyValue::KeyNotFoundError # deleted keys too
      nil
    end

    private

    def claim_email(user)
      @kv.create(Keys.email(user.email), user.id)
      true
    rescue NATS::KeyValue::KeyWrongLastSequenceError
      false
    end

    def release_email(user)
      @kv.delete(Keys.email(user.email))
    rescue
      nil # the put's error is the one to report
    end
  end
end
