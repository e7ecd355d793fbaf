# frozen_string_literal: true

# The generated Ruby of test/proto (test/generate.sh) and the repository's contracts as the services
# load them (packages/contracts-rb, checked against proto/ by make check-gen): the same descriptors
# make-golden.mjs gave @bufbuild/protovalidate.
$LOAD_PATH.unshift(File.expand_path("../../contracts-rb/lib/gen", __dir__))
$LOAD_PATH.unshift(File.expand_path("gen", __dir__))
$LOAD_PATH.unshift(File.expand_path("../lib", __dir__))

require "json"
require "minitest/autorun"
require "switchyard/protovalidate"
require "buf/validate/validate_pb"
require "validtest/v1/validtest_pb"
require "validtest/v1/unsupported_pb"
require "users/v1/users_pb"
require "inventory/v1/inventory_pb"
