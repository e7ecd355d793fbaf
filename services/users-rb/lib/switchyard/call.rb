# frozen_string_literal: true

module Switchyard
  # What a handler knows about the request it serves, besides the decoded message.
  Call = Struct.new(:rpc, :instance_id, :headers, keyword_init: true) do
    def request_id
      headers&.fetch(Protocol::HEADERS[:request_id], nil)
    end
  end
end
