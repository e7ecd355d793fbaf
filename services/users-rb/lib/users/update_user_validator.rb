# frozen_string_literal: true

module Users
  # UpdateUser's rules that depend on the update mask (services/README.md): each path one that can
  # be updated, then each masked field within User's rules, in mask order; the first broken one is
  # raised as INVALID_ARGUMENT naming its field. The contract's rules, checked by the SDK before the
  # handler runs, have required user, a user id in user.id and a non-empty mask. Fields the mask
  # leaves out are not checked: they are not changed.
  module UpdateUserValidator
    module_function

    # Returns the mask's paths, in their order.
    def validate!(request)
      paths = request.update_mask.paths.to_a
      paths.each do |path|
        next if UserFields::NAMES.include?(path)

        raise UserFields.invalid("update_mask", "update_mask path \"#{UserFields.quote(path)}\" cannot be updated")
      end
      paths.each { |path| UserFields.check!(request.user, path) }
      paths
    end
  end
end
