# frozen_string_literal: true

require "minitest/autorun"
require "stringio"
require "tempfile"
require_relative "../lib/users"

# The SDK's test helpers (a nats-server per suite, RPC assertions, a service process), shared
# with its own tests rather than copied.
sdk_support = File.expand_path("../../../packages/service-rb/test/support", __dir__)
%w[nats_server nats_test client_test log_lines rpc_assertions stream_client service_process otlp_receiver tls_files].each do |file|
  require File.join(sdk_support, file)
end
require_relative "support/users_test"

Support::RpcAssertions.contract = Users::CONTRACT
Support::RpcAssertions.name = Users::NAME
Support::ServiceProcess.bin = File.expand_path("../bin/users-rb", __dir__)
