# frozen_string_literal: true

module Switchyard
  # Registers a contract's implementation as a NATS micro service ($SRV.PING|INFO|STATS): one
  # endpoint per RPC of the contract, named after the RPC, on its subject, in the contract's queue
  # group; and a second one per RPC for the instance's deployment alone (GetUser-users-rb on
  # switchyard.deployment.users-rb.users.v1.UserService.GetUser, in the queue group users-rb), with
  # the same dispatcher and stats of its own. An RPC the implementation lacks is still served, with
  # UNIMPLEMENTED.
  #
  # The contract travels with the service: the metadata names the subject where the instance answers
  # with the contract's descriptor set, and its digest. That subject is a plain subscription in the
  # contract's queue group, not an endpoint: the endpoints are the contract's RPCs.
  #
  # On #stop, no request it received is left unanswered: those waiting in an endpoint's queue are
  # served for up to `queue_timeout` seconds more, and any still waiting then is answered UNAVAILABLE
  # without being run, so the gateway may send it again elsewhere.
  class Server
    FLUSH_TIMEOUT = 5 # seconds
    # Requests of one RPC an instance handles at once (nats-pure threads).
    HANDLER_CONCURRENCY = 8
    # How long #stop lets queued requests be served before it answers the rest UNAVAILABLE: the
    # gateway's default request timeout, past which their callers have given up.
    QUEUE_TIMEOUT = 5 # seconds
    STOPPING_DESCRIPTION = "the instance is stopping and did not run the request; retry"
    STREAM_STOPPING_DESCRIPTION = "the instance is stopping; resume the stream on another"

    attr_reader :contract, :name, :version, :revision, :tracing

    # version: SemVer (the services API refuses anything else). revision: the build's (BUILD_REVISION),
    # or nil. deployment: SWITCHYARD_DEPLOYMENT, or nil for the default (users => users-rb); a name
    # that is not one raises ConfigError. tracing: NoTracing, or OtlpTracing (Tracing.from_env).
    # queue_timeout: see #stop.
    def initialize(client, contract:, name:, version:, implementation:, logger:, description: nil, revision: nil,
      deployment: nil, tracing: NoTracing.new, queue_timeout: QUEUE_TIMEOUT)
      @client = client
      @contract = contract
      @name = name
      @version = version
      @implementation = implementation
      @logger = logger
      @description = description
      @revision = revision
      @deployment = deployment ? Deployment.new(deployment) : Deployment.default(name)
      @tracing = tracing
      @queue_timeout = queue_timeout
      @arrivals = Arrivals.new
      @malformed_auth = MalformedAuthLog.new(logger)
      @queues = [] # [subscription, route] of every endpoint
    end

    # Returns once the NATS server has the subscriptions: requests sent from then on reach them. The
    # descriptor set is subscribed first, so an instance that discovery sees answers on it already.
    def start
      @descriptors = @client.subscribe(contract.descriptors.subject, queue: contract.queue_group) do |msg|
        reply_descriptors(msg)
      end
      @service = @client.services.add(
        name: name,
        version: version,
        description: @description,
        metadata: metadata,
        queue: contract.queue_group
      )
      tracing.start(version: version, instance_id: instance_id, deployment: deployment)
      # Only a contract with server-streaming RPCs needs the subscription its callers' credit comes on.
      @streams = StreamControls.new(@client) if contract.rpcs.any?(&:server_streaming)
      contract.rpcs.each { |rpc| add_endpoints(rpc) }
      @client.flush(FLUSH_TIMEOUT)
      self
    end

    def instance_id
      @service&.id
    end

    # The deployment's name.
    def deployment
      @deployment.name
    end

    # The micro service metadata: language, contract (the proto package), deployment, the descriptor
    # set's subject and digest, the nats-server it registers through, and the revision when there is one.
    def metadata
      {
        Protocol::METADATA[:language] => Protocol::LANGUAGE,
        Protocol::METADATA[:contract] => contract.package,
        Protocol::METADATA[:deployment] => deployment,
        Protocol::METADATA[:revision] => revision,
        Protocol::METADATA[:descriptors] => contract.descriptors.subject,
        Protocol::METADATA[:contract_digest] => contract.descriptors.digest,
        Protocol::METADATA[:nats_server] => @client.server_info[:server_name]
      }.compact
    end

    # Stops taking requests: unsubscribes the endpoints, $SRV and the descriptor set. Requests
    # already running finish; those queued are served for up to queue_timeout seconds, and the
    # ones still queued then are answered UNAVAILABLE. Returns once no request is queued. A stream
    # does not outlive its instance: each one open ends with UNAVAILABLE at its next message, and
    # its caller may resume it from another instance.
    def stop
      @service&.stop
      drain_descriptors
      @streams&.stop_all(ServiceError.new(:UNAVAILABLE, STREAM_STOPPING_DESCRIPTION))
      answer_queued
    end

    private

    def add_endpoints(rpc)
      dispatcher = Dispatcher.new(
        rpc: rpc, implementation: @implementation, instance_id: instance_id, deployment: deployment,
        logger: @logger, tracing: tracing, arrivals: @arrivals, malformed_auth: @malformed_auth, streams: @streams
      )
      @logger.warn("#{rpc.subject} has no handler (#{rpc.handler}): it replies UNIMPLEMENTED") unless dispatcher.implemented?
      routes(rpc).each do |route|
        endpoint = @service.endpoints.add(route.name, subject: route.subject, queue: route.queue_group) do |request|
          dispatcher.call(request, route)
        end
        subscription = endpoint.instance_variable_get(:@handler)
        allow_concurrent_requests(subscription)
        @arrivals.watch(subscription)
        @queues << [subscription, route]
        route.stats = endpoint.stats
      end
    end

    # The shared endpoint, then the deployment's.
    def routes(rpc)
      [
        Route.new(name: rpc.name, subject: rpc.subject, queue_group: contract.queue_group),
        Route.new(name: @deployment.endpoint_name(rpc), subject: @deployment.subject(rpc), queue_group: @deployment.queue_group)
      ]
    end

    # nats-pure runs an endpoint's requests one at a time, so one KV call stuck on a lost reply
    # (a NATS restart) holds every request of that RPC on this instance until its timeout: the fault
    # suite saw bursts of gateway 504s. Handlers keep no shared state, so they run side by side.
    # Endpoint exposes no reader for its subscription; nats-pure is pinned to 2.7.0 (the gemspec).
    def allow_concurrent_requests(subscription)
      subscription.processing_concurrency = HANDLER_CONCURRENCY
    end

    # The endpoints are unsubscribed: once the server has seen that (a flush), every request it sent
    # them is in their queues. The handler threads keep taking them until the queues are empty or
    # queue_timeout has passed; then the rest are answered UNAVAILABLE, never dropped (nats-pure's
    # drain would drop those still queued at its own timeout, unanswered).
    def answer_queued
      flush_quietly
      deadline = Deadline.now + @queue_timeout
      sleep 0.01 until @queues.all? { |subscription, _| subscription.pending_queue.empty? } || Deadline.now >= deadline
      @queues.each { |subscription, route| answer_unavailable(subscription, route) }
    end

    def answer_unavailable(subscription, route)
      loop do
        msg = subscription.pending_queue.pop(true)
        subscription.synchronize { subscription.pending_size -= msg.data.size }
        route.stats&.record(Time.now) # counted as a request, as nats-pure counts those it runs
        Replier.new(msg, stats: route.stats, deployment: deployment).error(ServiceError.new(:UNAVAILABLE, STOPPING_DESCRIPTION))
      rescue ThreadError # empty
        break
      rescue => error
        @logger.error("#{route.subject}: cannot answer a queued request: #{error.class}: #{error.message}")
      end
    end

    def flush_quietly
      @client.flush(FLUSH_TIMEOUT)
    rescue NATS::IO::Error, NATS::Timeout => error
      @logger.warn("nats: flush before answering queued requests failed: #{error.message}")
    end

    # A fresh message rather than Msg#respond, which would copy the request's headers into the reply.
    def reply_descriptors(msg)
      return if msg.reply.nil? || msg.reply.empty?

      @client.publish(msg.reply, contract.descriptors.bytes)
    rescue => error
      @logger.error("#{contract.descriptors.subject}: cannot reply: #{error.class}: #{error.message}")
    end

    # As nats-pure 2.7 stops an endpoint (Endpoint#stop): the client's drain_sub sends UNSUB but keeps
    # the subscription, so requests the server sent before it still get their reply;
    # Subscription#unsubscribe would forget it at once and drop them.
    def drain_descriptors
      return unless @descriptors

      @client.send(:drain_sub, @descriptors)
    rescue => error
      @logger.warn("#{contract.descriptors.subject}: cannot unsubscribe: #{error.message}")
    ensure
      @descriptors = nil
    end
  end
end
