# frozen_string_literal: true

module Switchyard
  # Registers a contract's implementation as a NATS micro service ($SRV.PING|INFO|STATS): one
  # endpoint per RPC of the contract, named after the RPC, on its subject, in the contract's queue
  # group. An RPC the implementation lacks is still served, with UNIMPLEMENTED.
  class Server
    FLUSH_TIMEOUT = 5 # seconds

    attr_reader :contract, :name, :version

    def initialize(client, contract:, name:, version:, implementation:, logger:, description: nil)
      @client = client
      @contract = contract
      @name = name
      @version = version
      @implementation = implementation
      @logger = logger
      @description = description
    end

    # Returns once the NATS server has the subscriptions: requests sent from then on reach them.
    def start
      @service = @client.services.add(
        name: name,
        version: version,
        description: @description,
        metadata: {"language" => Protocol::LANGUAGE, "contract" => contract.package},
        queue: contract.queue_group
      )
      contract.rpcs.each { |rpc| add_endpoint(rpc) }
      @client.flush(FLUSH_TIMEOUT)
      self
    end

    def instance_id
      @service&.id
    end

    # Stops taking requests: unsubscribes the endpoints and $SRV; requests already received still run.
    def stop
      @service&.stop
    end

    private

    def add_endpoint(rpc)
      dispatcher = Dispatcher.new(rpc: rpc, implementation: @implementation, instance_id: instance_id, logger: @logger)
      @logger.warn("#{rpc.subject} has no handler (#{rpc.handler}): it replies UNIMPLEMENTED") unless dispatcher.implemented?
      endpoint = @service.endpoints.add(rpc.name, subject: rpc.subject, queue: contract.queue_group) do |request|
        dispatcher.call(request)
      end
      dispatcher.attach(endpoint)
    end
  end
end
