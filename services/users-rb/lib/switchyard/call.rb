# frozen_string_literal: true

module Switchyard
  # What a handler knows about the request it serves, besides the decoded message.
  Call = Struct.new(:rpc, :instance_id, :headers, keyword_init: true) do
    def request_id
      headers&.fetch(Protocol::HEADERS[:request_id], nil)
    end

    def traceparent
      headers&.fetch(Protocol::HEADERS[:traceparent], nil)
    end

    # A client header the gateway let through: metadata("tenant") reads Switchyard-Meta-Tenant.
    # Header names know no case (the gateway sends the suffix in lower case).
    def metadata(name)
      wanted = "#{Protocol::HEADERS[:metadata_prefix]}#{name}".downcase
      headers&.each { |key, value| return value if key.downcase == wanted }
      nil
    end
  end
end
