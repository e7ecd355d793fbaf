# frozen_string_literal: true

# Switchyard's service layer for Ruby: serves a Protobuf service contract as a NATS micro service
# (nats-pure's services API), one endpoint per RPC, with Switchyard's error headers.
require "nats/client"
require "google/protobuf"
require "google/protobuf/descriptor_pb"
require "digest"

require_relative "switchyard/request_wakeup_fix"
require_relative "switchyard/protocol"
require_relative "switchyard/service_error"
require_relative "switchyard/config_error"
require_relative "switchyard/config"
require_relative "switchyard/rpc"
require_relative "switchyard/descriptor_set"
require_relative "switchyard/contract"
require_relative "switchyard/call"
require_relative "switchyard/replier"
require_relative "switchyard/dispatcher"
require_relative "switchyard/server"
require_relative "switchyard/log"
require_relative "switchyard/runner"
