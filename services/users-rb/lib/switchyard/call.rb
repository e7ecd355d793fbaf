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

    # A client header the gateway let through: metadata("Tenant") reads Switchyard-Meta-Tenant.
    def metadata(name)
      headers&.fetch("#{Protocol::HEADERS[:metadata_prefix]}#{name}", nil)
    end
  end
end
