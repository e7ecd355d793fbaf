# frozen_string_literal: true

module Users
  # CreateUser's field rules (services/README.md), checked in the order given there; the first
  # broken one is raised as INVALID_ARGUMENT naming its field.
  module CreateUserValidator
    MAX_NAME = 100
    MAX_EMAIL = 254
    # JavaScript's white space (String#trim, \s), so every implementation agrees on "blank":
    # Ruby's [[:space:]] would add U+0085 and miss U+FEFF.
    SPACE = "\\t\\n\\v\\f\\r \\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000\\uFEFF"
    BLANK = /\A[#{SPACE}]*\z/
    EMAIL = /\A[^@#{SPACE}]+@[^@#{SPACE}]+\.[^@#{SPACE}]+\z/

    module_function

    def validate!(request)
      user = request.user
      raise invalid("user", "user is required") if user.nil?
      raise invalid("user.id", "user.id is assigned by the service") unless user.id.empty?

      check_name("user.first_name", user.first_name)
      check_name("user.last_name", user.last_name)
      check_email("user.email", user.email)
    end

    # Lengths count characters (code points), not bytes.
    def check_name(field, value)
      raise invalid(field, "#{field} is required") if BLANK.match?(value)
      raise invalid(field, "#{field} must be at most #{MAX_NAME} characters") if value.length > MAX_NAME
    end

    def check_email(field, value)
      return if value.empty?
      return if value.length <= MAX_EMAIL && EMAIL.match?(value)

      raise invalid(field, "#{field} must be a valid email address")
    end

    def invalid(field, message)
      Switchyard::ServiceError.new(:INVALID_ARGUMENT, message, field: field)
    end
  end
end
