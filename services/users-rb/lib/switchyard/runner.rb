# frozen_string_literal: true

module Switchyard
  # The life of a service process: connect with the environment's NATS settings, serve, and on
  # SIGTERM or SIGINT stop taking requests, answer those in flight, drain, export the spans left and
  # return 0.
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
        raise detail if event == :failed

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
        "on #{redacted_url}"
      )
    end

    def stop_starting(starter, signal)
      starter.kill.join
      return shutdown(signal) if @server&.instance_id # it started after all

      @stopping = true
      [@client, @work_client].compact.each { |client| close_quietly(client) }
      logger.info("stopped (SIG#{signal}) before it started")
    end

    def connect(name)
      client = NATS::IO::Client.new
      client.on_error { |error| logger.warn("nats (#{name}): #{error.message}") unless @stopping }
      client.on_disconnect { logger.warn("nats (#{name}): disconnected") unless @stopping }
      client.on_reconnect { logger.info("nats (#{name}): reconnected to #{client.connected_server}") }
      client.connect(@config.url, @config.connect_options(name))
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

    def redacted_url
      @config.servers.map { |server| server.sub(%r{//[^@/]*@}, "//") }.join(",")
    end
  end
end
