# frozen_string_literal: true

module Switchyard
  # When each request reached the instance. nats-pure's reader thread puts a request in its
  # endpoint's queue (Subscription#dispatch), and a handler thread takes it later: the time it waits
  # there counts against its deadline, so it is noted on arrival. The note is keyed by the request's
  # reply subject, the very String object the endpoint's NATS::Service::Request carries on, and held
  # weakly: it goes with the request.
  class Arrivals
    # Notes each message's arrival before nats-pure queues it.
    module Stamp
      attr_accessor :switchyard_arrivals

      def dispatch(msg)
        switchyard_arrivals&.note(msg)
        super
      end
    end

    def initialize
      @times = ObjectSpace::WeakMap.new
    end

    # subscription: an endpoint's NATS::Subscription. Only that one object is changed.
    def watch(subscription)
      subscription.singleton_class.prepend(Stamp)
      subscription.switchyard_arrivals = self
      subscription
    end

    def note(msg)
      @times[msg.reply] = Deadline.now if msg.reply
    end

    # The arrival of the request (a NATS::Msg or a Service::Request made from it) on the monotonic
    # clock; now when it was not noted (no reply subject, or a subscription not watched).
    def of(request)
      (request.reply && @times[request.reply]) || Deadline.now
    end
  end
end
