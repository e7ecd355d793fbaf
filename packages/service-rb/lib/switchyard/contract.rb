# frozen_string_literal: true

module Switchyard
  # A Protobuf service as Switchyard serves it, read from the generated descriptor rather than a
  # hand-written list: each RPC on the subject `<package>.<Service>.<Rpc>`, every instance of every
  # implementation in the queue group `<package>-<Service>` (users-v1-UserService: the services API
  # of other clients allows no dots in queue names). It carries its descriptor set (DescriptorSet), so
  # that a gateway built without it can serve it.
  class Contract
    attr_reader :service_name, :package, :rpcs, :descriptors

    def self.lookup(service_name, pool: Google::Protobuf::DescriptorPool.generated_pool)
      descriptor = pool.lookup(service_name)
      raise ArgumentError, "#{service_name} is not a loaded Protobuf service" unless descriptor.is_a?(Google::Protobuf::ServiceDescriptor)

      new(descriptor, pool: pool)
    end

    # pool: where the files the descriptor's file imports are found.
    def initialize(descriptor, pool: Google::Protobuf::DescriptorPool.generated_pool)
      @service_name = descriptor.name
      @package = descriptor.file_descriptor.to_proto.package
      @rpcs = descriptor.map { |method| rpc(method) }.freeze
      @descriptors = DescriptorSet.of(descriptor.file_descriptor, pool: pool)
      freeze
    end

    def queue_group
      service_name.tr(".", "-")
    end

    private

    def rpc(method)
      Rpc.new(
        name: method.name,
        subject: "#{service_name}.#{method.name}",
        service: service_name,
        request_class: method.input_type.msgclass,
        response_class: method.output_type.msgclass,
        client_streaming: method.client_streaming,
        server_streaming: method.server_streaming
      ).freeze
    end
  end
end
