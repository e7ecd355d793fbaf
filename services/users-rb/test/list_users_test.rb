# frozen_string_literal: true

require_relative "test_helper"

class ListUsersTest < Support::UsersTest
  # Each test starts from an empty bucket.
  def setup
    client.request("$JS.API.STREAM.PURGE.KV_#{Users::Keys::BUCKET}", "", timeout: TIMEOUT)
  end

  def list(page_size: 0, page_token: "")
    call_rpc("ListUsers", Users::V1::ListUsersRequest.new(page_size: page_size, page_token: page_token))
  end

  def page(**request)
    assert_reply(list(**request), Users::V1::ListUsersResponse)
  end

  # Stores users with chosen ids, as any implementation would: the KV layout is the contract.
  def put_users(*ids)
    ids.map do |id|
      user = new_user(id: id, first_name: "User #{id}")
      kv.put(Users::Keys.user(id), Users::V1::User.encode(user))
      user
    end
  end

  def token(id)
    Base64.urlsafe_encode64(id, padding: false)
  end

  def test_an_empty_bucket_is_one_empty_page
    response = page

    assert_empty response.users
    assert_equal "", response.next_page_token
  end

  def test_lists_created_users_but_not_email_claims
    ids = Array.new(3) { assert_reply(create(new_user), Users::V1::CreateUserResponse).id }
    ids << assert_reply(create(new_user(email: "")), Users::V1::CreateUserResponse).id

    response = page
    assert_equal ids.sort, response.users.map(&:id)
    assert_equal "", response.next_page_token
    got = assert_reply(call_rpc("GetUser", Users::V1::GetUserRequest.new(id: ids.first)), Users::V1::GetUserResponse).user
    assert_equal got, response.users.find { |user| user.id == ids.first }
  end

  def test_users_come_in_byte_order_of_their_ids
    put_users("b", "_", "B", "a", "=", "0", "-", "ab", "A")

    assert_equal %w[- 0 = A B _ a ab b], page.users.map(&:id)
  end

  def test_pages_follow_each_other_to_the_last
    users = put_users("e", "a", "c", "b", "d")

    first = page(page_size: 2)
    assert_equal %w[a b], first.users.map(&:id)
    assert_equal token("b"), first.next_page_token
    second = page(page_size: 2, page_token: first.next_page_token)
    assert_equal %w[c d], second.users.map(&:id)
    assert_equal token("d"), second.next_page_token
    last = page(page_size: 2, page_token: second.next_page_token)
    assert_equal %w[e], last.users.map(&:id)
    assert_equal "", last.next_page_token
    assert_equal users.sort_by(&:id), [first, second, last].flat_map { |p| p.users.to_a }
  end

  def test_a_page_that_ends_with_the_last_user_has_no_next_token
    put_users("a", "b", "c", "d")

    second = page(page_size: 2, page_token: page(page_size: 2).next_page_token)
    assert_equal %w[c d], second.users.map(&:id)
    assert_equal "", second.next_page_token
  end

  def test_a_token_of_any_id_continues_after_that_id
    put_users("a", "c", "e")

    assert_equal %w[c e], page(page_token: token("b")).users.map(&:id)
    assert_equal %w[e], page(page_token: token("c")).users.map(&:id)
    response = page(page_token: token("z"))
    assert_empty response.users
    assert_equal "", response.next_page_token
  end

  def test_users_added_or_deleted_between_pages_do_not_repeat_or_skip_others
    put_users("b", "d", "f", "h")
    first = page(page_size: 2)
    assert_equal %w[b d], first.users.map(&:id)

    kv.delete(Users::Keys.user("d")) # the last of the page
    kv.delete(Users::Keys.user("f")) # the next
    put_users("a", "c", "e")

    rest = page(page_size: 10, page_token: first.next_page_token)
    assert_equal %w[e h], rest.users.map(&:id)
  end

  def test_deleted_users_are_not_listed
    put_users("a", "b", "c")
    assert_reply(call_rpc("DeleteUser", Users::V1::DeleteUserRequest.new(id: "b")), Users::V1::DeleteUserResponse)

    assert_equal %w[a c], page.users.map(&:id)
  end

  # A deleted or purged user leaves a marker on its key; a listing reads past it and ends.
  def test_a_bucket_of_deleted_users_lists_nothing_every_time
    25.times do |round|
      response = page
      assert_equal [[], ""], [response.users.to_a, response.next_page_token], "empty bucket, round #{round}"
      put_users("a", "b", "c")
      kv.delete(Users::Keys.user("a"))
      kv.delete(Users::Keys.user("b"))
      kv.purge(Users::Keys.user("c"))
      response = page(page_size: 1)
      assert_equal [[], ""], [response.users.to_a, response.next_page_token], "deleted users, round #{round}"
      client.request("$JS.API.STREAM.PURGE.KV_#{Users::Keys::BUCKET}", "", timeout: TIMEOUT)
    end
  end

  def test_deleted_users_after_a_full_page_do_not_make_a_next_token
    put_users("a", "b", "c", "d")
    kv.delete(Users::Keys.user("c"))
    kv.delete(Users::Keys.user("d"))

    response = page(page_size: 2)
    assert_equal [%w[a b], ""], [response.users.map(&:id), response.next_page_token]
    response = page(page_size: 1)
    assert_equal [%w[a], token("a")], [response.users.map(&:id), response.next_page_token]
  end

  # Other instances keep creating and deleting users while pages are listed: every page answers, in
  # id order, with every user that stays and no id that was never stored.
  def test_listing_while_users_are_written_and_deleted
    kept = put_users(*Array.new(20) { |i| format("k%02d", i) }).map(&:id)
    written = Array.new(40) { |i| format("k%02dw", i % 20) + (i / 20).to_s }
    writers = Array.new(2) do |w|
      Thread.new(self.class.connect) do |nc|
        bucket = nc.jetstream.key_value(Users::Keys::BUCKET)
        mine = written.select.with_index { |_, i| i % 2 == w }
        until Thread.current[:stop]
          mine.each do |id|
            bucket.put(Users::Keys.user(id), Users::V1::User.encode(new_user(id: id)))
            bucket.delete(Users::Keys.user(id))
          end
        end
      ensure
        nc.close
      end
    end

    20.times do |round|
      ids = []
      token = ""
      loop do
        response = page(page_size: 7, page_token: token)
        ids.concat(response.users.map(&:id))
        token = response.next_page_token
        break if token.empty?
      end
      assert_equal ids.sort.uniq, ids, "round #{round}: in id order, none twice"
      assert_empty kept - ids, "round #{round}: a user that stays is missing"
      assert_empty ids - kept - written, "round #{round}: an id never stored"
    end
  ensure
    writers&.each { |writer| writer[:stop] = true }
    writers&.each(&:join)
  end

  # nats-server sends at most 100,000 subjects a STREAM.INFO reply and pages the rest by offset.
  # The users are published without acks, then the stream is polled. Not with Client#flush: in
  # nats-pure 2.7 a PING from the server during a flush makes the flush miss its PONG.
  def test_more_than_100_000_user_keys_are_all_listed
    count = 100_005
    ids = Array.new(count) { |i| format("u%06d", i) }
    ids.each do |id|
      client.publish("$KV.#{Users::Keys::BUCKET}.#{Users::Keys.user(id)}", Users::V1::User.encode(Users::V1::User.new(id: id)))
    end
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + 30
    until client.jetstream.stream_info(Users::UserIds::STREAM).state.messages == count
      flunk "the stream did not get #{count} users within 30 s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.05
    end

    assert_equal ids, Users::UserIds.new(client.jetstream).all.sort
    response = page(page_size: 3, page_token: token("u100001"))
    assert_equal [%w[u100002 u100003 u100004], ""], [response.users.map(&:id), response.next_page_token]
  end

  # Nothing in a listing waits without a deadline: a JetStream API that never answers makes the
  # listing fail once the JetStream timeout is up (the RPC then replies INTERNAL).
  def test_a_listing_fails_within_the_jetstream_timeout_when_jetstream_does_not_answer
    put_users("a")
    silent = client.subscribe("silent.API.>") {} # takes the requests, never replies
    client.flush
    store = Users::UserStore.new(kv, client.jetstream(prefix: "silent.API", timeout: 0.5))

    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_raises(NATS::IO::Timeout) { store.list(after: "", limit: 10) }
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 2
  ensure
    silent&.unsubscribe
  end

  def test_page_size_0_means_50_and_at_most_100_are_allowed
    put_users(*Array.new(101) { |i| format("u%03d", i) })

    first = page
    assert_equal 50, first.users.size
    assert_equal token("u049"), first.next_page_token
    second = page(page_token: first.next_page_token)
    assert_equal [50, token("u099")], [second.users.size, second.next_page_token]
    assert_equal %w[u100], page(page_token: second.next_page_token).users.map(&:id)
    full = page(page_size: 100)
    assert_equal [100, token("u099")], [full.users.size, full.next_page_token]
    assert_equal %w[u000 u001], page(page_size: 2).users.map(&:id)
    assert_equal %w[u000], page(page_size: 1).users.map(&:id)
  end

  def test_a_page_size_out_of_bounds_is_invalid
    [-1, 101, -2_147_483_648, 2_147_483_647].each do |size|
      assert_service_error list(page_size: size), reason: "INVALID_ARGUMENT", status: 400,
        message: "page_size must be between 0 and 100", field: "page_size"
    end
  end

  def test_a_token_that_is_not_base64url_of_an_id_is_invalid
    put_users("a")
    ["!!!", "YWI=", "YR", "Y", "YW+", Base64.urlsafe_encode64("a b", padding: false),
      Base64.urlsafe_encode64("a.b", padding: false), Base64.urlsafe_encode64("\xff".b, padding: false)].each do |bad|
      assert_service_error list(page_token: bad), reason: "INVALID_ARGUMENT", status: 400,
        message: "page_token is not valid", field: "page_token"
    end
  end

  def test_page_size_is_checked_before_the_token
    assert_service_error list(page_size: 101, page_token: "!"), reason: "INVALID_ARGUMENT", status: 400,
      message: "page_size must be between 0 and 100", field: "page_size"
  end
end
