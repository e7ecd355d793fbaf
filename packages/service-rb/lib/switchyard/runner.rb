# frozen_string_literal: true

module Switchyard
  # The life of a service process: connect with the environment's NATS settings, serve, and on
  # SIGTERM or SIGINT stop taking requests, answer those in flight, drain, export the spans left and
  # return 0. A server that is not up yet is waited for, with a log line per WAIT_LOG_EVERY; a
  # connection NATS refuses for good (credentials, TLS), or a start it fails, is one error line and
  # returns 1.
  #
  # It opens two connections. `client` carries the service (its requests, replies and $SRV) and is
  # the one drained. `work_client` carries the handlers' own requests (JetStream KV, other
  # services) and is closed last: nats-pure's drain shuts the connection's callback pool down once
  # no request is queued, and the replies to requests a handler still waits for on that same
  # connection would then be dropped, failing the very requests the drain waits for.
  class Runner
    SIGNALS = %w[TERM INT].freeze
    FLUSH_TIMEOUT = 2 # seconds
    CLOSE_GRACE = 5 # seconds past nats-pure's drain timeout
    WAIT_LOG_EVERY = 10 # seconds between "still trying" lines while no server answers

    attr_reader :logger

    # build: (client, work_client) -> a Switchyard::Server, not started yet.
    def initialize(config:, name:, logger:, &build)
      @config = config
      @name = name
      @logger = logger
      @build = build
      @events = Queue.new
      @stopping = false
    end

    # Connecting happens on a thread of its own (nats-pure keeps trying until a server answers),
    # so that a signal can stop the process meanwhile: the main thread only waits for events.
    def run
      traps = trap_signals
      starter = Thread.new { start_serving }
      event, detail = @events.pop
      if event == :signal
        stop_starting(starter, detail)
      else
        return failed(detail) if event == :failed

        shutdown(@events.pop.last)
      end
      0
    ensure
      traps&.each { |signal, previous| trap(signal, previous || "DEFAULT") }
    end

    private

    # A trap may not lock, log or raise safely: it only queues the signal for the main thread.
    def trap_signals
      SIGNALS.to_h { |signal| [signal, trap(signal) { @events << [:signal, signal] }] }
    end

    def start_serving
      start
      @events << [:started]
    rescue Exception => error # rubocop:disable Lint/RescueException -- handed to the main thread
      @events << [:failed, error]
    end

    def start
      @client = connect(@name)
      @work_client = connect("#{@name}-work")
      @server = @build.call(@client, @work_client).start
      logger.info(
        "started: #{@server.name} #{@server.version}, instance #{@server.instance_id}, deployment #{@server.deployment}, " \
        "#{@server.contract.service_name} (#{@server.contract.rpcs.map(&:name).join(", ")}) " \
        "on #{@config.redacted_url}"
      )
    end

    # A ConfigError goes to the caller (exit 2). NATS refusing the connection for good, or refusing
    # what the service needs (its bucket, its subjects), is one error line and 1.
    def failed(error)
      raise error if error.is_a?(ConfigError) || !error.is_a?(StandardError)

      @stopping = true
      logger.error(error.is_a?(NatsConnectError) ? error.message : "cannot start: #{error.class}: #{error.message}")
      [@client, @work_client].compact.each { |client| close_quietly(client) }
      1
    end

    def stop_starting(starter, signal)
      starter.kill.join
      return shutdown(signal) if @server&.instance_id # it started after all

      @stopping = true
      [@client, @work_client].compact.each { |client| close_quietly(client) }
      logger.info("stopped (SIG#{signal}) before it started")
    end

    # nats-pure retries the first connection on any error, each reported to on_error: the callback
    # raises NatsConnectError out of #connect for a failure retrying cannot fix. Both connections
    # carry RequestWakeupFix: the handlers' requests wait on them.
    def connect(name)
      client = RequestWakeupFix.apply(NATS::IO::Client.new)
      connected = false
      logged_at = nil
      client.on_error do |error|
        if connected
          logger.warn("nats (#{name}): #{error.message}") unless @stopping
        else
          logged_at = connect_failed(name, error, logged_at)
        end
      end
      client.on_disconnect { logger.warn("nats (#{name}): disconnected") unless @stopping }
      client.on_reconnect { logger.info("nats (#{name}): reconnected to #{Config.redact(client.connected_server)}") }
      client.connect(@config.url, @config.connect_options(name))
      connected = true
      client
    end

    # Raises when the failure is final; otherwise logs it unless it did within WAIT_LOG_EVERY, and
    # returns when it last logged.
    def connect_failed(name, error, logged_at)
      failure = ConnectFailure.of(error, @config)
      raise NatsConnectError.new(failure.reason, "NATS #{@config.redacted_url}: #{failure.text}") if failure.final?

      now = Process.clock_gettime(Process::CLOCK_MONOTONIC)
      return logged_at if logged_at && now - logged_at < WAIT_LOG_EVERY

      logger.warn("nats (#{name}): NATS #{@config.redacted_url}: #{failure.text}; still trying (every #{NATS::IO::RECONNECT_TIME_WAIT} s)")
      now
    end

    def shutdown(signal)
      @stopping = true
      @server.stop # no new requests: the endpoints and $SRV are unsubscribed
      flush # whatever the server sent before the unsubscribes is queued here now
      @client.drain # runs the queued requests, waits for those in flight, then closes
      drained = wait_closed(@client, @client.options[:drain_timeout] + CLOSE_GRACE)
      close_quietly(@work_client)
      @server.tracing.shutdown # the spans of the requests just drained
      logger.info("stopped (SIG#{signal}): #{drained ? "drained" : "drain timed out"}")
    end

    def flush
      @client.flush(FLUSH_TIMEOUT)
    rescue NATS::IO::Error, NATS::Timeout => error
      logger.warn("nats (#{@name}): flush before drain failed: #{error.message}")
    end

    def wait_closed(client, timeout)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      until client.closed?
        return false if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline

        sleep 0.02
      end
      true
    end

    def close_quietly(client)
      client.close unless client.closed?
    rescue => error
      logger.warn("nats: close failed: #{error.message}")
    end
  end
end
