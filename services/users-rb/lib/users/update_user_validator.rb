# frozen_string_literal: true

module Users
  # UpdateUser's rules (services/README.md), checked in the order given there; the first broken
  # one is raised as INVALID_ARGUMENT naming its field. Fields the mask leaves out are not checked:
  # they are not changed.
  module UpdateUserValidator
    module_function

    # Returns the mask's paths, in their order.
    def validate!(request)
      user = request.user
      raise UserFields.invalid("user", "user is required") if user.nil?
      UserFields.check_id!("user.id", user.id)

      paths = check_mask(request.update_mask)
      paths.each { |path| UserFields.check!(user, path) }
      paths
    end

    def check_mask(mask)
      paths = mask.nil? ? [] : mask.paths.to_a
      raise UserFields.invalid("update_mask", "update_mask is required") if paths.empty?

      paths.each do |path|
        next if UserFields::NAMES.include?(path)

        raise UserFields.invalid("update_mask", "update_mask path \"#{UserFields.quote(path)}\" cannot be updated")
      end
      paths
    end
  end
end
