# frozen_string_literal: true

require "json"

module Switchyard
  # The caller the gateway authenticated: the `sub` claim of the JWT it verified (subject), and
  # every claim of it (claims, a frozen Hash with String keys). Only the gateway sets the headers it
  # comes from: it strips any a client sends and lets no client header through but Switchyard-Meta-*;
  # NATS permissions keep other publishers off a service's subjects.
  Auth = Struct.new(:subject, :claims) do
    # The identity the request's headers carry: Switchyard-Auth-Subject and Switchyard-Auth-Claims
    # (a JSON object), both present. Otherwise nil: neither header (no token was presented), or a
    # malformed pair, which `malformed` is told about with the reason (never the value).
    def self.from_headers(headers, malformed:)
      subject = header(headers, :auth_subject)
      text = header(headers, :auth_claims)
      return nil if subject.nil? && text.nil?

      reason, claims = claims_of(subject, text)
      return new(utf8(subject), deep_freeze(claims)).freeze unless reason

      malformed.call(reason)
      nil
    end

    # [nil, claims], or [why they are no identity, nil].
    def self.claims_of(subject, text)
      return ["#{Protocol::HEADERS[:auth_subject]} is missing", nil] if subject.nil?
      return ["#{Protocol::HEADERS[:auth_claims]} is missing", nil] if text.nil?

      claims = JSON.parse(utf8(text))
      claims.is_a?(Hash) ? [nil, claims] : ["#{Protocol::HEADERS[:auth_claims]} is not a JSON object", nil]
    rescue JSON::ParserError
      ["#{Protocol::HEADERS[:auth_claims]} is not JSON", nil]
    end

    # The header's value, "" when it is empty (nats-pure gives an empty value as nil), nil when absent.
    def self.header(headers, name)
      key = Protocol::HEADERS.fetch(name)
      headers&.key?(key) ? headers[key].to_s : nil
    end

    # nats-pure hands header values over as binary strings; the gateway sends UTF-8 (ASCII, in fact).
    def self.utf8(value)
      value.dup.force_encoding(Encoding::UTF_8)
    end

    def self.deep_freeze(value)
      case value
      when Hash then value.each_value { |item| deep_freeze(item) }
      when Array then value.each { |item| deep_freeze(item) }
      end
      value.freeze
    end
    private_class_method :claims_of, :header, :utf8, :deep_freeze
  end

  # Logs the first malformed identity an instance sees, and no other: it is the gateway's fault, not
  # the request's, and one line says so.
  class MalformedAuthLog
    def initialize(logger)
      @logger = logger
      @told = false
      @lock = Mutex.new
    end

    # Returns nil.
    def call(reason)
      first = @lock.synchronize { !@told && (@told = true) }
      @logger.error("malformed auth headers (#{reason}): requests carrying them are served without auth; further ones are not logged") if first
      nil
    end
  end
end
