# frozen_string_literal: true

module Users
  # What a ListUsersRequest asks for, checked by ListUsers' rules (services/README.md): the id the
  # page starts after ("" for the first page) and how many users it holds at most.
  class PageRequest
    MAX_SIZE = 100
    DEFAULT_SIZE = 50

    attr_reader :after, :size

    def self.from(request)
      size = request.page_size
      unless size.between?(0, MAX_SIZE)
        raise UserFields.invalid("page_size", "page_size must be between 0 and #{MAX_SIZE}")
      end

      new(after: after(request.page_token), size: size.zero? ? DEFAULT_SIZE : size)
    end

    def self.after(token)
      return "" if token.empty?

      PageToken.decode(token) || raise(UserFields.invalid("page_token", "page_token is not valid"))
    end

    def initialize(after:, size:)
      @after = after
      @size = size
    end
  end
end
