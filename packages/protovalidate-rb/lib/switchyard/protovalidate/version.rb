# frozen_string_literal: true

module Switchyard
  module Protovalidate
    VERSION = "0.1.0"
  end
end
