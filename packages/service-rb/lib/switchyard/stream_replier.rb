# frozen_string_literal: true

module Switchyard
  # Sends the messages of one stream to the request's reply subject, numbered, then its end: success,
  # or the error as a unary error reply carries it (services/README.md, Streaming). The first message
  # sent, whichever it is, names the stream's control subject and, unless it is an error, carries the
  # HTTP status and headers the handler asked for (Call#respond_with). Responds to #error as Replier does,
  # so the Dispatcher answers a failure the same way whatever the RPC.
  class StreamReplier
    # Messages sent so far.
    attr_reader :sent

    # replier: the request's Replier; stream: its OpenStream; call: its Call.
    def initialize(replier, stream, call)
      @replier = replier
      @stream = stream
      @call = call
      @sent = 0
    end

    # data: one encoded message of the stream.
    def message(data)
      header = first_headers(success: true).merge(Protocol::STREAM_HEADERS[:seq] => (@sent + 1).to_s)
      @replier.reply(data, header)
      @sent += 1
    end

    def finish
      @replier.reply("", end_headers(success: true))
    end

    def error(error)
      @replier.error(error, end_headers(success: false))
    end

    private

    def end_headers(success:)
      first_headers(success: success).merge(Protocol::STREAM_HEADERS[:end_of_stream] => @sent.to_s)
    end

    def first_headers(success:)
      return {} unless @sent.zero?

      asked = success ? @call.reply_headers : {}
      asked.merge(Protocol::STREAM_HEADERS[:control] => @stream.control_subject)
    end
  end
end
