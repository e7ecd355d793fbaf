# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # A path into a message (the field at fault) or into buf.validate.FieldRules (the rule), printed
    # as @bufbuild/protobuf's pathToString prints one: `user.first_name`, `items[2].name`,
    # `by_key["a\"b"].name`, `by_number[3]`, `string.max_len`, `cel[0]`.
    class Path
      QUOTED = {"\\" => "\\\\", '"' => '\\"', "\r" => "\\r", "\n" => "\\n"}.freeze

      def initialize(elements)
        @elements = elements.freeze
        freeze
      end

      def field(name) = Path.new(@elements + [[:field, name]])

      def list(index) = Path.new(@elements + [[:list, index]])

      def map_key(key) = Path.new(@elements + [[:map, key]])

      def to_s
        @elements.each_with_object(+"") do |(kind, value), out|
          case kind
          when :field
            out << "." unless out.empty?
            out << value
          when :list then out << "[#{value}]"
          when :map then out << (value.is_a?(String) ? "[\"#{quote(value)}\"]" : "[#{value}]")
          end
        end
      end

      private

      def quote(key)
        key.gsub(/[\\"\r\n]/, QUOTED)
      end
    end

    Path::EMPTY = Path.new([])
  end
end
