# frozen_string_literal: true

module Users
  # What a ListUsersRequest asks for: the id the page starts after ("" for the first page) and how
  # many users it holds at most. The contract's rules bound page_size and page_token's form; a token
  # must also be one of ours, which only the service can tell.
  class PageRequest
    DEFAULT_SIZE = 50

    attr_reader :after, :size

    def self.from(request)
      size = request.page_size
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
