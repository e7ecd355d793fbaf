# frozen_string_literal: true

module Switchyard
  # What an RPC's contract declares of its side effects (`option idempotency_level`): an RPC declared
  # NO_SIDE_EFFECTS cannot have written, whatever its handler did.
  module SideEffects
    module_function

    # rpc: a Switchyard::Rpc; pool: where its service's descriptor is (the generated one).
    def none?(rpc, pool: Google::Protobuf::DescriptorPool.generated_pool)
      service = rpc.service && pool.lookup(rpc.service)
      method = service&.find { |candidate| candidate.name == rpc.name }
      method&.options&.idempotency_level == :NO_SIDE_EFFECTS
    end
  end
end
