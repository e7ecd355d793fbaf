# frozen_string_literal: true

require "minitest/autorun"
require "stringio"
require "tempfile"
require_relative "../lib/users"
require_relative "support/nats_server"
require_relative "support/nats_test"
require_relative "support/client_test"
require_relative "support/log_lines"
require_relative "support/rpc_assertions"
require_relative "support/users_test"
require_relative "support/service_process"
require_relative "support/otlp_receiver"
