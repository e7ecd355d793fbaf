# frozen_string_literal: true

require "minitest/autorun"
require "stringio"
require "tempfile"
require "switchyard"

# The test contract's generated code (rake gen) requires its files by their proto paths, and
# buf/validate/validate_pb, which comes with the contracts.
require "switchyard/contracts"
$LOAD_PATH.unshift(File.expand_path("gen", __dir__))
require "echo/v1/echo_pb"

require_relative "support/nats_server"
require_relative "support/nats_test"
require_relative "support/client_test"
require_relative "support/log_lines"
require_relative "support/rpc_assertions"
require_relative "support/stream_client"
require_relative "support/service_process"
require_relative "support/otlp_receiver"
require_relative "support/tls_files"
require_relative "support/echo_app"
require_relative "support/echo_server_test"

Support::RpcAssertions.contract = Support::EchoApp::CONTRACT
Support::RpcAssertions.name = Support::EchoApp::NAME
Support::ServiceProcess.bin = File.expand_path("bin/echo-rb", __dir__)
