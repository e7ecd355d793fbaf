# frozen_string_literal: true

require "monitor"
require "socket"
require "zlib"
require "opentelemetry/proto/collector/trace/v1/trace_service_pb"

module Support
  # An OTLP/HTTP trace receiver on a random loopback port: it accepts POST /v1/traces (protobuf,
  # gzip or not, on kept-alive connections), answers 200 and keeps each span with its resource.
  class OtlpReceiver
    Span = Struct.new(:span, :resource, keyword_init: true)
    TRACE = Opentelemetry::Proto::Collector::Trace::V1

    def self.start
      new.tap(&:start)
    end

    def initialize
      @spans = []
      @lock = Monitor.new
      @arrived = @lock.new_cond
      @paths = []
    end

    def start
      @server = TCPServer.new("127.0.0.1", 0)
      @acceptor = Thread.new { loop { serve(@server.accept) } }
      self
    end

    def url
      "http://127.0.0.1:#{@server.addr[1]}"
    end

    # The paths POSTed to, in order.
    def paths
      @lock.synchronize { @paths.dup }
    end

    def spans
      @lock.synchronize { @spans.dup }
    end

    # Waits for the first span that the block accepts.
    def wait_for_span(timeout: 10, &accept)
      deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + timeout
      @lock.synchronize do
        loop do
          found = @spans.find(&accept)
          return found if found

          remaining = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          raise "no such span within #{timeout} s; got #{@spans.map { |s| s.span.name }.inspect}" if remaining <= 0

          @arrived.wait(remaining)
        end
      end
    end

    def stop
      @acceptor&.kill&.join
      @server&.close
    end

    private

    def serve(socket)
      Thread.new do
        while (request = read_request(socket))
          receive(*request)
          socket.write(response(TRACE::ExportTraceServiceResponse.encode(TRACE::ExportTraceServiceResponse.new)))
        end
      rescue IOError, SystemCallError
        nil # the exporter went away
      ensure
        socket.close
      end
    end

    # [path, headers, body], or nil once the client closes the connection.
    def read_request(socket)
      line = socket.gets("\r\n") or return nil
      path = line.split[1]
      headers = {}
      while (header = socket.gets("\r\n")) && header != "\r\n"
        name, value = header.split(":", 2)
        headers[name.downcase] = value.strip
      end
      [path, headers, socket.read(Integer(headers.fetch("content-length", "0")))]
    end

    def receive(path, headers, body)
      body = Zlib.gunzip(body) if headers["content-encoding"] == "gzip"
      export = TRACE::ExportTraceServiceRequest.decode(body)
      @lock.synchronize do
        @paths << path
        export.resource_spans.each do |resource_spans|
          resource_spans.scope_spans.flat_map(&:spans).each { |span| @spans << Span.new(span: span, resource: resource_spans.resource) }
        end
        @arrived.broadcast
      end
    end

    def response(body)
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: #{body.bytesize}\r\n\r\n#{body}"
    end
  end
end
