# frozen_string_literal: true

require_relative "test_helper"
require "digest"

# The descriptor set a contract carries: its file and every file it imports, imports first.
class DescriptorSetTest < Minitest::Test
  GEN = File.expand_path("gen", __dir__)

  def descriptors
    Switchyard::Contract.lookup("echo.v1.EchoService").descriptors
  end

  def test_holds_the_contract_file_last_after_every_file_it_imports
    assert_equal(
      %w[
        google/protobuf/descriptor.proto google/protobuf/duration.proto google/protobuf/field_mask.proto
        google/protobuf/timestamp.proto buf/validate/validate.proto echo/v1/options.proto echo/v1/echo.proto
      ],
      descriptors.files.map(&:name)
    )
    main = descriptors.files.last
    assert_equal ["EchoService"], main.service.map(&:name)
    assert_equal "echo.v1", main.package
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

  # Each file is the very FileDescriptorProto its generated file registered (descriptor_data in
  # test/gen/**/*_pb.rb), options included, plus the json_names protoc gives and the generated code
  # leaves out.
  def test_each_file_is_the_one_the_generated_code_registered_with_json_names
    %w[echo/v1/echo echo/v1/options].each do |path|
      registered = Google::Protobuf::FileDescriptorProto.decode(registered_descriptor(path))
      carried = Google::Protobuf::FileDescriptorProto.decode(Google::Protobuf::FileDescriptorProto.encode(
        descriptors.files.find { |file| file.name == "#{path}.proto" }
      ))
      carried.message_type.each { |message| message.field.each(&:clear_json_name) }
      carried.extension.each(&:clear_json_name)

      assert_equal registered, carried, path
    end
  end

  def test_every_field_has_the_json_name_protoc_gives_it
    echo = descriptors.files.last
    names = echo.message_type.flat_map { |message| message.field.map { |field| [field.name, field.json_name] } }.uniq

    assert_equal [%w[id id], %w[text text], %w[message message], %w[instance instance], %w[item item], %w[after_id afterId]], names
    assert_equal "route", descriptors.files.find { |file| file.name == "echo/v1/options.proto" }.extension.first.json_name
  end

  def test_method_options_keep_the_contract_s_own_options_and_the_idempotency_level
    ping = descriptors.files.last.service.first["method"].find { |method| method.name == "Ping" }

    # idempotency_level (field 34) = NO_SIDE_EFFECTS (1), echo.v1.route (field 50001) = "GET /"
    assert_equal "\x90\x02\x01\x8a\xb5\x18\x05GET /".b, Google::Protobuf::MethodOptions.encode(ping.options)
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
    File.read(File.join(GEN, "#{path}_pb.rb"))[/^descriptor_data = (".*")$/, 1].undump.b
  end
end
