# frozen_string_literal: true

module Switchyard
  # A contract as a service carries it: a serialized google.protobuf.FileDescriptorSet of the
  # contract's file and of every file it imports, transitively, each once and after its imports, so
  # that a gateway built without the contract can serve it. The digest (the first 32 hex digits of
  # the SHA-256 of those bytes) names it: instances with the same digest carry the same contract, and
  # answer with it on `switchyard.descriptors.<digest>`.
  #
  # The files come from the descriptor pool the generated code registered them in: each one's
  # FileDescriptorProto is FileDescriptor#to_proto, its imports are the proto's `dependency` names,
  # and the pool finds those files by name. Nothing is listed by hand. protoc gives every field a
  # json_name, and gateways read a field's JSON name from it, but the descriptors Ruby's generated
  # code registers leave it out: each field gets it back as protoc derives it.
  class DescriptorSet
    DIGEST_LENGTH = 32

    attr_reader :files, :bytes, :digest

    # file: the contract's Google::Protobuf::FileDescriptor; pool: the pool that holds its imports.
    def self.of(file, pool: Google::Protobuf::DescriptorPool.generated_pool)
      ordered = {}
      visit = lambda do |descriptor|
        proto = descriptor.to_proto
        next if ordered.key?(proto.name)

        restore_json_names(proto)

        # Imports first (a pool holds no import cycle: protoc and the pool both refuse them).
        proto.dependency.each { |name| visit.call(import(pool, name, proto.name)) }
        ordered[proto.name] = proto
      end
      visit.call(file)
      new(ordered.values)
    end

    def self.import(pool, name, importer)
      descriptor = pool.lookup(name)
      return descriptor if descriptor.is_a?(Google::Protobuf::FileDescriptor)

      raise ArgumentError, "#{importer} imports #{name}, which is not loaded"
    end
    private_class_method :import

    def self.restore_json_names(file)
      fields = file.extension.to_a
      messages = file.message_type.to_a
      while (message = messages.shift)
        messages.concat(message.nested_type.to_a)
        fields.concat(message.field.to_a, message.extension.to_a)
      end
      fields.each { |field| field.json_name = json_name(field.name) unless field.has_json_name? }
    end
    private_class_method :restore_json_names

    # protoc's ToJsonName: each "_" dropped, the character after it upper-cased (user_id: userId).
    def self.json_name(name)
      upper = false
      name.each_char.with_object(+"") do |char, out|
        if char == "_"
          upper = true
        else
          out << (upper ? char.upcase : char)
          upper = false
        end
      end
    end
    private_class_method :json_name

    # files: Google::Protobuf::FileDescriptorProto, each after its imports.
    def initialize(files)
      @files = files.freeze
      set = Google::Protobuf::FileDescriptorSet.new(file: files)
      @bytes = Google::Protobuf::FileDescriptorSet.encode(set).freeze
      @digest = Digest::SHA256.hexdigest(@bytes)[0, DIGEST_LENGTH].freeze
      freeze
    end

    def subject
      "#{Protocol::DESCRIPTORS_SUBJECT_PREFIX}.#{digest}"
    end
  end
end
