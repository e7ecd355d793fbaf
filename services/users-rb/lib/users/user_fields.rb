# frozen_string_literal: true

module Users
  # The rules for the fields a client sets on a user (services/README.md, CreateUser), which
  # UpdateUser applies to the fields it changes. A broken rule is raised as INVALID_ARGUMENT naming
  # the field by its path in the request (user.email).
  module UserFields
    MAX_NAME = 100
    MAX_EMAIL = 254
    # The text rules of services/README.md ("Text"), the same as the contract's field rules.
    # Blank: nothing but Unicode White_Space, listed so that no regexp engine's idea of \s applies.
    BLANK = /\A[\t-\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\z/
    # Printable ASCII but "@" on each side of the "@", and a "." in the domain.
    EMAIL = /\A[\x21-\x3F\x41-\x7E]+@[\x21-\x3F\x41-\x7E]+\.[\x21-\x3F\x41-\x7E]+\z/
    # Control characters (general category Cc); quoted client text has each replaced by a space.
    CONTROL = /[\u0000-\u001F\u007F-\u009F]/
    # The fields a client may set, by their proto names, in the order CreateUser checks them.
    NAMES = %w[first_name last_name email].freeze

    module_function

    # Checks user's field `name` (one of NAMES).
    def check!(user, name)
      field = "user.#{name}"
      if name == "email"
        check_email(field, user.email)
      else
        check_name(field, user[name])
      end
    end

    def invalid(field, message)
      Switchyard::ServiceError.new(:INVALID_ARGUMENT, message, field: field)
    end

    # An id taken from a request: required, and one a user can have (it becomes part of a KV key).
    def check_id!(field, id)
      raise invalid(field, "#{field} is required") if id.empty?
      raise invalid(field, "#{field} must be #{Keys::ID_RULE}") unless Keys.id?(id)
    end

    # Client text quoted in a description: one space for each control character.
    def quote(text)
      text.gsub(CONTROL, " ")
    end

    # Lengths count characters (code points), not bytes.
    def check_name(field, value)
      raise invalid(field, "#{field} is required") if BLANK.match?(value)
      raise invalid(field, "#{field} must be at most #{MAX_NAME} characters") if value.length > MAX_NAME
    end

    # Empty is allowed: the email is optional.
    def check_email(field, value)
      return if value.empty?
      return if value.length <= MAX_EMAIL && EMAIL.match?(value)

      raise invalid(field, "#{field} must be a valid email address")
    end
  end
end
