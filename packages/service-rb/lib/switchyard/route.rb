# frozen_string_literal: true

module Switchyard
  # One endpoint an RPC is served on: the contract's shared one or the deployment's own. `stats` is
  # that endpoint's NATS::Service::Stats, which count its error replies; it is set once the endpoint
  # is added (nil only for a request that arrives while it is being added).
  Route = Struct.new(:name, :subject, :queue_group, :stats, keyword_init: true)
end
