#!/usr/bin/env ruby
# frozen_string_literal: true

# nats-pure 2.7.0: a request whose reply arrives before the requesting thread waits for it is not
# woken up, and times out with the reply already received. See nats-pure-request-wakeup.md.
#
#   gem install nats-pure -v 2.7.0
#   nats-server -p 4222 &
#   ruby nats_pure_wakeup_repro.rb                 # one request, the window held open: fails every time
#   ruby nats_pure_wakeup_repro.rb --load          # 8 threads x 2,000 requests, no help: fails on a busy machine
#   ruby nats_pure_wakeup_repro.rb --load nats://127.0.0.1:4222
#
# Exits 1 when a request timed out with its reply there, 0 otherwise. Needs nothing but nats-pure.
require "nats/client"

load_mode = ARGV.delete("--load")
url = ARGV.fetch(0, "nats://127.0.0.1:4222")
abort "written for nats-pure 2.7.0, this is #{NATS::IO::VERSION}" unless NATS::IO::VERSION == "2.7.0"

def now = Process.clock_gettime(Process::CLOCK_MONOTONIC)

responder = NATS.connect(url)
responder.subscribe("repro.echo") { |msg| msg.respond(msg.data) }
responder.flush
# Sees every reply go by, to show when it reached the server.
replies = Queue.new
observer = NATS.connect(url)
observer.subscribe("_INBOX.>") { |msg| replies << [msg.data, now] }
observer.flush

requester = NATS.connect(url)
requester.request("repro.echo", "warm-up", timeout: 2) # the response subscription exists from here on

if load_mode
  # Many requests at once on one client, as a service's handler threads make them.
  lost = Queue.new
  Array.new(8) do |t|
    Thread.new do
      2_000.times do |i|
        requester.request("repro.echo", "#{t}.#{i}", timeout: 2)
      rescue NATS::Timeout
        lost << "#{t}.#{i}"
      end
    end
  end.each(&:join)
  sleep 0.2
  answered = []
  answered << replies.pop.first until replies.empty?
  timed_out = Array.new(lost.size) { lost.pop }
  puts "16,000 requests: #{timed_out.size} timed out, #{(timed_out & answered).size} of them with their reply delivered"
  exit(timed_out.empty? ? 0 : 1)
end

# Delay the requesting thread between its publish and its wait, as the scheduler or the GVL may on
# a busy machine: Client#request calls MonotonicTime.with_nats_timeout right after publishing, and
# waits inside it. TracePoint only adds the delay; nats-pure's code runs unchanged.
requesting = Thread.current
delay = TracePoint.new(:call) do |tp|
  sleep 0.2 if Thread.current == requesting && tp.method_id == :with_nats_timeout && tp.self == NATS::MonotonicTime
end

sent = now
begin
  delay.enable { requester.request("repro.echo", "hello", timeout: 1) }
  puts "reply received: not reproduced"
rescue NATS::Timeout
  failed = now - sent
  arrived = loop do
    data, at = replies.pop
    break at if data == "hello"
  end
  puts format("NATS::Timeout after %.2f s; its reply was out %.3f s after the request was sent", failed, arrived - sent)
  exit 1
end
