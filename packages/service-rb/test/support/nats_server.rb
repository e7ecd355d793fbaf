# frozen_string_literal: true

require "json"
require "tmpdir"
require "fileutils"
require "uri"

module Support
  # A real nats-server owned by a test suite: a temporary config with `port: -1`, a ports file that
  # tells which port it picked, JetStream in a temporary store; stop removes the lot.
  class NatsServer
    START_TIMEOUT = 10
    POLL_INTERVAL = 0.02
    STOP_TIMEOUT = 5

    attr_reader :port, :pid

    def self.start(**options)
      new(**options).tap(&:start)
    end

    # extra: more configuration lines, e.g. an authorization block.
    def initialize(jetstream: true, extra: nil, binary: ENV.fetch("NATS_SERVER_BIN", "nats-server"))
      @jetstream = jetstream
      @extra = extra
      @binary = binary
    end

    def url
      "nats://127.0.0.1:#{port}"
    end

    def start
      @dir = Dir.mktmpdir("switchyard-nats-")
      @log = File.join(@dir, "nats.log")
      launch(-1)
      self
    rescue
      stop
      raise
    end

    # Stops the server and starts it again on the same port with the same JetStream store.
    def restart
      terminate
      Dir.glob(File.join(@dir, "*.ports")).each { |file| File.delete(file) }
      launch(port)
      self
    end

    def stop
      terminate
      FileUtils.rm_rf(@dir) if @dir
      @dir = nil
    end

    private

    def launch(port)
      @pid = spawn_server(port)
      @port = wait_for_port
    end

    def config(port)
      lines = [
        "listen: \"127.0.0.1:#{port}\"",
        "ports_file_dir: \"#{@dir}\""
      ]
      lines << "jetstream { store_dir: \"#{File.join(@dir, "js")}\", max_mem: 64MB, max_file: 256MB }" if @jetstream
      lines << @extra if @extra
      path = File.join(@dir, "nats.conf")
      File.write(path, lines.join("\n") + "\n")
      path
    end

    def spawn_server(port)
      Process.spawn(@binary, "-c", config(port), out: File::NULL, err: [@log, "a"])
    rescue Errno::ENOENT
      raise "nats-server not found (#{@binary.inspect}): install it (apt-get install nats-server) " \
            "or set NATS_SERVER_BIN to its path"
    end

    # nats-server writes <binary>_<pid>.ports once it listens: {"nats": ["nats://127.0.0.1:port"]}.
    def wait_for_port
      deadline = monotonic + START_TIMEOUT
      loop do
        if (status = Process.wait2(@pid, Process::WNOHANG)&.last)
          @pid = nil
          raise "nats-server exited early (#{status}):\n#{server_log}"
        end
        port = read_port
        return port if port
        raise "nats-server did not report a port within #{START_TIMEOUT} s:\n#{server_log}" if monotonic > deadline

        sleep POLL_INTERVAL
      end
    end

    def read_port
      file = Dir.glob(File.join(@dir, "*_#{@pid}.ports")).first
      return nil unless file

      url = JSON.parse(File.read(file)).fetch("nats", []).first
      url && URI(url).port
    rescue JSON::ParserError
      nil # written but not complete yet
    end

    def terminate
      return unless @pid

      Process.kill("TERM", @pid)
      deadline = monotonic + STOP_TIMEOUT
      until Process.wait(@pid, Process::WNOHANG)
        if monotonic > deadline
          Process.kill("KILL", @pid)
          Process.wait(@pid)
          break
        end
        sleep POLL_INTERVAL
      end
    rescue Errno::ESRCH, Errno::ECHILD
      nil # already gone
    ensure
      @pid = nil
    end

    def server_log
      File.exist?(@log.to_s) ? File.read(@log) : "(no log)"
    end

    def monotonic
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
