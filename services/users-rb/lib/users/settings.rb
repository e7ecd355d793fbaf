# frozen_string_literal: true

module Users
  # The users service's own settings from the environment, beside Switchyard::Config's.
  module Settings
    module_function

    # PING_SHOWS_INSTANCE: whether Ping's served_by.instance names the instance ("true", the
    # default) or is left empty ("false"), so an operator can keep instance ids out of public
    # replies. Unset or empty is the default; any other value raises Switchyard::ConfigError.
    def ping_shows_instance(env)
      case env["PING_SHOWS_INSTANCE"]
      when nil, "", "true" then true
      when "false" then false
      else raise Switchyard::ConfigError.new("PING_SHOWS_INSTANCE", "#{env["PING_SHOWS_INSTANCE"].inspect} is neither true nor false")
      end
    end
  end
end
