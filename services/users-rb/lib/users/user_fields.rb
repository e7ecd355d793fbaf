# frozen_string_literal: true

module Users
  # The fields of a user a client sets, as UpdateUser applies them. The contract's field rules
  # (proto/users/v1/users.proto) state what each field must hold, and the SDK checks them on every
  # request before a handler runs; what is left here depends on the update mask, which protovalidate
  # cannot express: a masked field is checked alone against User's rules, and a masked name is
  # required (User's rules skip an empty value).
  module UserFields
    # The fields a client may set, by their proto names.
    NAMES = %w[first_name last_name email].freeze
    # Control characters (general category Cc); quoted client text has each replaced by a space.
    CONTROL = /[\u0000-\u001F\u007F-\u009F]/

    module_function

    # Checks user's field `name` (one of NAMES) against User's rules, naming it by its path in the
    # request (user.email).
    def check!(user, name)
      value = user[name]
      raise invalid("user.#{name}", "user.#{name} is required") if value.empty? && name != "email"

      violation = Switchyard::RequestRules.violation(V1::User.new(name.to_sym => value))
      raise invalid("user.#{violation.field}", violation.message) if violation
    end

    def invalid(field, message)
      Switchyard::ServiceError.new(:INVALID_ARGUMENT, message, field: field)
    end

    # Client text quoted in a description: one space for each control character.
    def quote(text)
      text.gsub(CONTROL, " ")
    end
  end
end
