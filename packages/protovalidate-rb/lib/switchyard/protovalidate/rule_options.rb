# frozen_string_literal: true

module Switchyard
  module Protovalidate
    # The buf.validate options of a descriptor, as buf.validate messages. The generated Ruby code
    # registers buf/validate/validate.proto, but google-protobuf's Ruby runtime has no API for
    # extensions: an option's value stays in the options' unknown fields, and comes back when they are
    # encoded. This reads the extension field (number 1159 on FieldOptions, MessageOptions and
    # OneofOptions) from those bytes and decodes it with the generated class.
    module RuleOptions
      EXTENSION = 1159

      module_function

      # Buf::Validate::FieldRules of a field, or nil.
      def field_rules(field)
        decode(field.options, -> { Buf::Validate::FieldRules })
      end

      # Buf::Validate::MessageRules of a message, or nil.
      def message_rules(descriptor)
        decode(descriptor.options, -> { Buf::Validate::MessageRules })
      end

      # Buf::Validate::OneofRules of a oneof, or nil.
      def oneof_rules(oneof)
        decode(oneof.options, -> { Buf::Validate::OneofRules })
      end

      def decode(options, klass)
        return nil if options.nil?

        payloads = Wire.fields(options.class.encode(options)).filter_map do |number, type, value|
          value if number == EXTENSION && type == Wire::LENGTH
        end
        return nil if payloads.empty?

        rules_class = buf_validate(klass)
        bytes = payloads.join
        KnownRules.check!(bytes, rules_class.descriptor, "(buf.validate.#{rules_class.descriptor.name.sub(/Rules\z/, "").downcase})")
        rules_class.decode(bytes)
      end

      def buf_validate(klass)
        klass.call
      rescue NameError
        raise CompilationError, "buf.validate is not loaded: require the generated buf/validate/validate_pb " \
          "(it comes with the generated contracts) before validating"
      end
    end

    # Protobuf wire format, enough to pick fields out of encoded bytes.
    module Wire
      VARINT = 0
      FIXED64 = 1
      LENGTH = 2
      FIXED32 = 5

      module_function

      # [[number, wire type, value]]: value is the Integer of a varint, the bytes of the others.
      def fields(bytes)
        bytes = bytes.b
        pos = 0
        out = []
        while pos < bytes.bytesize
          tag, pos = varint(bytes, pos)
          number = tag >> 3
          type = tag & 7
          case type
          when VARINT then value, pos = varint(bytes, pos)
          when FIXED64 then value, pos = [bytes.byteslice(pos, 8), pos + 8]
          when FIXED32 then value, pos = [bytes.byteslice(pos, 4), pos + 4]
          when LENGTH
            length, pos = varint(bytes, pos)
            value, pos = [bytes.byteslice(pos, length), pos + length]
          else raise CompilationError, "options: wire type #{type} (groups) is not supported"
          end
          out << [number, type, value]
        end
        out
      end

      def varint(bytes, pos)
        value = 0
        shift = 0
        loop do
          byte = bytes.getbyte(pos) or raise CompilationError, "options: truncated varint"
          pos += 1
          value |= (byte & 0x7f) << shift
          return [value, pos] if byte < 0x80

          shift += 7
        end
      end
    end

    # Rules the generated class does not know are extensions of buf.validate (predefined rules): they
    # would vanish on decoding, so they are refused here, by field number.
    module KnownRules
      module_function

      def check!(bytes, descriptor, name)
        by_number = descriptor.to_h { |f| [f.number, f] }
        Wire.fields(bytes).each do |number, type, value|
          field = by_number[number]
          raise CompilationError, "unsupported rule: #{name} extension field #{number} (predefined rules)" if field.nil?
          next unless field.type == :message && type == Wire::LENGTH

          check!(value, field.subtype, "#{name}.#{field.name}")
        end
      end
    end
  end
end
