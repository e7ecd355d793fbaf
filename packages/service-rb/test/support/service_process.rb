# frozen_string_literal: true

require "rbconfig"

module Support
  # Runs a service's executable as a child process against the suite's nats-server and reads its
  # output.
  module ServiceProcess
    WAIT = 15 # seconds

    class << self
      # The executable, set by test_helper.
      attr_accessor :bin
    end

    # No tracing unless a test asks for it, whatever the environment of the test run.
    QUIET = {"OTEL_EXPORTER_OTLP_ENDPOINT" => nil, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT" => nil, "OTEL_SDK_DISABLED" => nil}.freeze

    # The child inherits RUBYOPT=-rbundler/setup from `bundle exec rake`.
    def spawn_service(env = {})
      @out, writer = IO.pipe
      @pid = Process.spawn({"NATS_URL" => nats.url, **QUIET}.merge(env), RbConfig.ruby, ServiceProcess.bin, out: writer, err: writer)
      writer.close
      @output = +""
    end

    def wait_for_output(pattern)
      deadline = monotonic + WAIT
      until pattern.match?(@output)
        remaining = deadline - monotonic
        flunk "no #{pattern.inspect} in the output within #{WAIT} s:\n#{@output}" if remaining <= 0
        @output << @out.read_nonblock(4096) if @out.wait_readable(remaining)
      end
    rescue EOFError
      flunk "#{File.basename(ServiceProcess.bin)} exited before printing #{pattern.inspect}:\n#{@output}"
    end

    def wait_for_exit
      deadline = monotonic + WAIT
      until (status = Process.wait2(@pid, Process::WNOHANG)&.last)
        flunk "#{File.basename(ServiceProcess.bin)} did not exit within #{WAIT} s:\n#{@output}" if monotonic > deadline
        sleep 0.02
      end
      @pid = nil
      @output << @out.read
      status
    end

    def kill_service
      return unless @pid

      Process.kill("KILL", @pid)
      Process.wait(@pid)
    rescue Errno::ESRCH, Errno::ECHILD
      nil
    ensure
      @pid = nil
      @out&.close
    end

    def monotonic
      Process.clock_gettime(Process::CLOCK_MONOTONIC)
    end
  end
end
