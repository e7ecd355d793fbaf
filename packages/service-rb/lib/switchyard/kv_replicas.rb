# frozen_string_literal: true

module Switchyard
  # How many replicas a bucket Switchyard creates gets, as packages/protocol/src/kv-replicas.ts
  # decides it: NATS_KV_REPLICAS when set (1 to 5); otherwise 1 on a lone server, and on a cluster
  # as many as it has servers, up to 3 (its INFO names the cluster and lists every server's client
  # URL; a cluster that advertises none is taken to have 3). Every bucket is created through
  # KvReplicas.create, so each is replicated alike on a cluster, whichever language made it first.
  module KvReplicas
    VARIABLE = "NATS_KV_REPLICAS"
    # Replicas beyond 3 add write latency and no availability a three-node quorum lacks.
    MAX_AUTO = 3
    # JetStream's answer to replicas > 1 on a server that is not clustered.
    NOT_CLUSTERED = 10_074

    module_function

    # The setting, or nil when unset; Config reads it too, so a bad value stops the process at start-up.
    def from_env(env = ENV)
      set = env[VARIABLE]
      return nil if set.nil? || set.empty?
      raise ConfigError.new(VARIABLE, "#{set.inspect} is not a replica count from 1 to 5") unless /\A[1-5]\z/.match?(set)

      Integer(set, 10)
    end

    # server_info: the INFO of the server a client is on (NATS::IO::Client#server_info).
    def count(server_info, env = ENV)
      set = from_env(env)
      return set if set

      cluster = server_info && server_info[:cluster]
      return 1 if cluster.nil? || cluster.empty?

      servers = (server_info[:connect_urls] || []).uniq.size
      (servers <= 1) ? MAX_AUTO : [servers, MAX_AUTO].min
    end

    # Yields the replica count for `client`'s server and returns the block's bucket. A count the
    # server refuses as not clustered is tried again with 1, unless NATS_KV_REPLICAS set it. A
    # bucket that exists already keeps its replicas.
    def create(client, env = ENV)
      replicas = count(client.server_info, env)
      begin
        yield replicas
      rescue NATS::JetStream::Error::APIError => error
        raise unless replicas > 1 && error.err_code == NOT_CLUSTERED
        raise ConfigError.new(VARIABLE, "#{replicas} replicas, but the NATS server is not clustered: #{error.description}") if from_env(env)

        yield 1
      end
    end
  end
end
