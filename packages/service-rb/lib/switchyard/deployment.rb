# frozen_string_literal: true

module Switchyard
  # The deployment an instance belongs to: a name for one build of one implementation (users-rb,
  # users-rb-canary). Besides the contract's shared endpoints, the instance serves every RPC for its
  # deployment alone, on a subject and in a queue group of its own, so that a traffic policy in the
  # gateway can send a request to one deployment and $SRV.STATS counts those requests apart.
  class Deployment
    VARIABLE = "SWITCHYARD_DEPLOYMENT"

    attr_reader :name

    # The SDK's default: the service name with the language's suffix (users => users-rb).
    def self.default(service_name)
      new("#{service_name}-#{Protocol::DEPLOYMENT_SUFFIX}")
    end

    # The name itself, or a ConfigError naming SWITCHYARD_DEPLOYMENT.
    def self.check(name)
      return name if Protocol::DEPLOYMENT_NAME.match?(name.to_s)

      raise ConfigError.new(
        VARIABLE,
        "\"#{name}\" is not a deployment name: 1 to 64 letters, digits, '-' or '_', starting with a letter or digit"
      )
    end

    def initialize(name)
      @name = self.class.check(name).dup.freeze
      freeze
    end

    # GetUser-users-rb: RPC names hold no dash, so the first one ends the RPC's name.
    def endpoint_name(rpc)
      "#{rpc.name}-#{name}"
    end

    def subject(rpc)
      "#{Protocol::DEPLOYMENT_SUBJECT_PREFIX}.#{name}.#{rpc.subject}"
    end

    def queue_group
      name
    end

    def to_s
      name
    end
  end
end
