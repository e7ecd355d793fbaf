# frozen_string_literal: true

module Users
  # CreateUser's rules (services/README.md), checked in the order given there; the first broken
  # one is raised as INVALID_ARGUMENT naming its field.
  module CreateUserValidator
    module_function

    def validate!(request)
      user = request.user
      raise UserFields.invalid("user", "user is required") if user.nil?
      raise UserFields.invalid("user.id", "user.id is assigned by the service") unless user.id.empty?

      UserFields::NAMES.each { |name| UserFields.check!(user, name) }
    end
  end
end
