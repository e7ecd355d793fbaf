# frozen_string_literal: true

require_relative "test_helper"
require "digest"

# The descriptor set a contract carries: its file and every file it imports, imports first.
class DescriptorSetTest < Minitest::Test
  GEN = File.expand_path("../lib/gen", __dir__)

  def descriptors
    Switchyard::Contract.lookup("users.v1.UserService").descriptors
  end

  def test_holds_the_contract_file_last_after_every_file_it_imports
    assert_equal(
      %w[
        google/protobuf/descriptor.proto google/protobuf/duration.proto google/protobuf/field_mask.proto
        google/protobuf/timestamp.proto buf/validate/validate.proto google/api/http.proto
        google/api/annotations.proto users/v1/users.proto
      ],
      descriptors.files.map(&:name)
    )
    main = descriptors.files.last
    assert_equal ["UserService"], main.service.map(&:name)
    assert_equal "users.v1", main.package
  end

  def test_each_file_comes_once_after_its_imports_and_no_import_is_missing
    names = descriptors.files.map(&:name)

    assert_equal names.uniq, names
    descriptors.files.each_with_index do |file, index|
      file.dependency.each do |import|
        assert_includes names.first(index), import, "#{file.name} imports #{import}"
      end
    end
  end

  def test_the_bytes_are_the_file_descriptor_set_and_the_digest_names_them
    set = Google::Protobuf::FileDescriptorSet.decode(descriptors.bytes)

    assert_equal descriptors.files, set.file.to_a
    assert_equal Digest::SHA256.hexdigest(descriptors.bytes)[0, 32], descriptors.digest
    assert_match(/\A[0-9a-f]{32}\z/, descriptors.digest)
    assert_equal "switchyard.descriptors.#{descriptors.digest}", descriptors.subject
  end

  def test_the_same_contract_gives_the_same_bytes
    assert_equal descriptors.bytes, descriptors.bytes
  end

  # What FileDescriptor#to_proto gives back is the very FileDescriptorProto each generated file
  # registered (descriptor_data in lib/gen/**/*_pb.rb), HTTP annotations included.
  def test_each_file_is_the_one_the_generated_code_registered
    %w[users/v1/users buf/validate/validate google/api/annotations google/api/http].each do |path|
      registered = Google::Protobuf::FileDescriptorProto.decode(registered_descriptor(path))

      assert_equal registered, descriptors.files.find { |file| file.name == "#{path}.proto" }, path
    end
  end

  def test_method_options_keep_the_http_rule_and_the_idempotency_level
    ping = descriptors.files.last.service.first["method"].find { |method| method.name == "Ping" }

    # idempotency_level (field 34) = NO_SIDE_EFFECTS (1), google.api.http (field 72295728) = HttpRule { get: "/" }
    assert_equal "\x90\x02\x01\x82\xd3\xe4\x93\x02\x03\x12\x01/".b, Google::Protobuf::MethodOptions.encode(ping.options)
  end

  # d imports b and c, which both import a: a comes once, first; d last.
  def test_a_shared_import_comes_once_before_the_first_file_that_needs_it
    pool = Google::Protobuf::DescriptorPool.new
    {"a" => [], "b" => ["a"], "c" => ["a"], "d" => ["c", "b"]}.each do |name, imports|
      file = Google::Protobuf::FileDescriptorProto.new(name: "#{name}.proto", package: "t", dependency: imports.map { |i| "#{i}.proto" }, syntax: "proto3")
      pool.add_serialized_file(Google::Protobuf::FileDescriptorProto.encode(file))
    end

    set = Switchyard::DescriptorSet.of(pool.lookup("d.proto"), pool: pool)

    assert_equal %w[a.proto c.proto b.proto d.proto], set.files.map(&:name)
  end

  private

  # The bytes the generated file passes to add_serialized_file: a double-quoted literal of \x escapes.
  def registered_descriptor(path)
    literal = File.read(File.join(GEN, "#{path}_pb.rb"))[/^descriptor_data = (".*")$/, 1]
    # The generator escapes ' (in CEL rules) as \', which String#undump does not know.
    literal.gsub(/\\(.)/m) { (Regexp.last_match(1) == "'") ? "'" : Regexp.last_match(0) }.undump.b
  end
end
