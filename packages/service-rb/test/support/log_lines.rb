# frozen_string_literal: true

module Support
  # Reads Switchyard's JSON log lines, one object per line.
  module LogLines
    def log_entries(text)
      text.lines.map do |line|
        JSON.parse(line)
      rescue JSON::ParserError
        flunk "not a JSON log line: #{line.inspect}"
      end
    end

    # The last entry whose msg matches; fails when there is none.
    def log_entry(text, msg)
      found = log_entries(text).reverse.find { |entry| msg.match?(entry["msg"].to_s) }
      found || flunk("no log line with a msg matching #{msg.inspect} in:\n#{text}")
    end
  end
end
