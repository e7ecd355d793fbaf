# frozen_string_literal: true

require "json"

module Users
  # The ids of the user keys in the bucket, read from its stream's subjects: a JetStream STREAM.INFO
  # request with `subjects_filter` (nats-server >= 2.9), one per 100,000 keys, each with the
  # JetStream timeout. No consumer, no watch, nothing left to wait for once the replies are in.
  #
  # The subjects are those the stream holds a message on, so a deleted user's key is among them
  # (its delete marker) until the key is purged: the caller reads each user and skips those gone.
  #
  # nats-pure 2.7's `stream_info` sends no request body and drops `state.subjects`, so the request
  # is made here, as the JetStream API defines it.
  class UserIds
    # The KV layout's stream and subjects (`KV_<bucket>`, `$KV.<bucket>.<key>`); ids are single tokens.
    STREAM = "KV_#{Keys::BUCKET}"
    SUBJECT_PREFIX = "$KV.#{Keys::BUCKET}.#{Keys::USER_PREFIX}"
    FILTER = "$KV.#{Keys::BUCKET}.#{Keys::USERS}"

    # js: the JetStream context whose connection, API prefix and request timeout are used.
    def initialize(js)
      @js = js
    end

    # Every id with a subject in the stream, in no particular order. The server sends at most
    # 100,000 subjects a reply (JSMaxSubjectDetails); past that it sorts them and pages by `offset`,
    # and this asks for the next page until it has `total`. A key written between two pages shifts
    # the next one by a place, so an id can come twice (they are made unique); a key purged from the
    # stream itself (not a KV purge, which leaves a marker) could make one be missed.
    def all
      ids = []
      offset = 0
      loop do
        reply = stream_info(offset)
        subjects = reply.dig("state", "subjects") || {}
        subjects.each_key { |subject| ids << subject.delete_prefix(SUBJECT_PREFIX) }
        offset += subjects.size
        break if subjects.empty? || offset >= reply["total"].to_i
      end
      ids.uniq
    end

    private

    def stream_info(offset)
      request = {subjects_filter: FILTER}
      request[:offset] = offset if offset.positive?
      msg = @js.nc.request("#{@js.prefix}.STREAM.INFO.#{STREAM}", request.to_json, timeout: @js.opts[:timeout])
      reply = JSON.parse(msg.data)
      raise NATS::JetStream::JS.from_error(reply["error"].transform_keys(&:to_sym)) if reply["error"]

      reply
    rescue NATS::IO::NoRespondersError
      raise NATS::JetStream::Error::ServiceUnavailable
    end
  end
end
