# frozen_string_literal: true

require_relative "test_helper"

# The Ruby constants must say what packages/protocol (the gateway's side) says.
class ProtocolTest < Minitest::Test
  PROTOCOL_SRC = File.expand_path("../../../packages/protocol/src", __dir__)

  def test_error_codes_match_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "error-codes.ts"))
    table = source[/export const ErrorCode = \{(.*?)\}/m, 1].scan(/(\w+): (\d+)/).to_h { |name, status| [name.to_sym, status.to_i] }

    assert_equal 16, table.size
    assert_equal table, Switchyard::Protocol::ERROR_CODES
  end

  def test_headers_match_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "headers.ts"))
    names = source.scan(/^\s+\w+: "([\w-]+)",/).flatten

    assert_equal names.sort, Switchyard::Protocol::HEADERS.values.sort
  end

  def test_metadata_keys_match_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "metadata.ts"))
    keys = source[/export const Metadata = \{(.*?)\} as const/m, 1].scan(/^\s+(\w+): "([\w.]+)",/).to_h
    ruby_keys = Switchyard::Protocol::METADATA.to_h { |name, key| [name.to_s.gsub(/_(\w)/) { $1.upcase }, key] }

    assert_equal 7, keys.size
    assert_equal keys, ruby_keys
  end

  def test_the_descriptors_subject_matches_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "descriptors.ts"))

    assert_includes source, "return `#{Switchyard::Protocol::DESCRIPTORS_SUBJECT_PREFIX}.${digest}`;"
    assert_includes source, ".digest(\"hex\").slice(0, #{Switchyard::DescriptorSet::DIGEST_LENGTH})"
  end

  def test_deployment_names_and_subjects_match_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "deployment.ts"))
    name = source[%r{export const DEPLOYMENT_NAME = /\^(.*)\$/;}, 1]

    assert_equal name, Switchyard::Protocol::DEPLOYMENT_NAME.source.delete_prefix("\\A").delete_suffix("\\z")
    assert_includes source, "\"#{Switchyard::Protocol::DEPLOYMENT_SUBJECT_PREFIX}."
    assert_includes source, "`${rpcName}-${deployment}`"
  end

  def test_stream_constants_match_the_protocol_package
    source = File.read(File.join(PROTOCOL_SRC, "streaming.ts"))
    names = source[/export const StreamHeaders = \{(.*?)\} as const/m, 1].scan(/^\s+\w+: "([\w-]+)",/).flatten
    number = ->(name) { source[/export const #{name} = ([\d_]+);/, 1].delete("_").to_i }

    assert_equal 5, names.size
    assert_equal names.sort, Switchyard::Protocol::STREAM_HEADERS.values.sort
    assert_equal number.call("STREAM_WINDOW"), Switchyard::Protocol::STREAM_WINDOW
    assert_equal number.call("STREAM_IDLE_MS"), Switchyard::Protocol::STREAM_IDLE_MS
    assert_includes source, "const STREAM_TOKEN = \"#{Switchyard::Protocol::STREAM_SUBJECT_TOKEN}\";"
  end

  def test_a_service_error_knows_its_status
    error = Switchyard::ServiceError.new(:ALREADY_EXISTS, "email is already taken", field: "user.email")

    assert_equal [:ALREADY_EXISTS, 409, "user.email", "email is already taken"], [error.code, error.status, error.field, error.message]
    assert_equal 501, Switchyard::ServiceError.new("UNIMPLEMENTED", "x").status
  end

  def test_an_unknown_error_code_is_refused
    assert_raises(ArgumentError) { Switchyard::ServiceError.new(:TEAPOT, "short and stout") }
  end
end
