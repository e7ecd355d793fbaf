# frozen_string_literal: true

require_relative "test_helper"

class StreamUsersTest < Support::UsersTest
  # Each test starts from an empty bucket.
  def setup
    client.request("$JS.API.STREAM.PURGE.KV_#{Users::Keys::BUCKET}", "", timeout: TIMEOUT)
  end

  # Stores users with chosen ids, as any implementation would: the KV layout is the contract.
  def put_users(*ids)
    ids.each do |id|
      kv.put(Users::Keys.user(id), Users::V1::User.encode(new_user(id: id, first_name: "User #{id}")))
    end
  end

  def stream(after_id = "")
    data = Users::V1::StreamUsersRequest.encode(Users::V1::StreamUsersRequest.new(after_id: after_id))
    stream = Support::StreamClient.new(client, "#{Users::CONTRACT}.StreamUsers", data)
    stream.to_end
  ensure
    stream&.close
  end

  def ids(messages)
    messages[0...-1].map { |msg| Users::V1::StreamUsersResponse.decode(msg.data).user.id }
  end

  def test_streams_every_user_in_byte_order_of_their_ids_then_ends
    put_users("b", "_", "B", "a", "=", "0", "-", "ab", "A")
    messages = stream

    assert_equal %w[- 0 = A B _ a ab b], ids(messages)
    assert_equal "9", messages.last.header[Switchyard::Protocol::STREAM_HEADERS[:end_of_stream]]
    refute messages.last.header.key?("Nats-Service-Error-Code")
  end

  def test_streams_past_a_listing_page
    ids = (1..(Users::UserService::STREAM_PAGE_SIZE + 20)).map { |n| format("u%04d", n) }
    put_users(*ids.shuffle)

    assert_equal ids, ids(stream)
  end

  def test_starts_after_after_id
    put_users("a", "b", "c", "d")

    assert_equal %w[c d], ids(stream("b"))
    assert_equal %w[c d], ids(stream("bb"))
    assert_empty ids(stream("d"))
  end

  def test_refuses_an_after_id_no_user_can_have_before_any_message
    ["no such user", "*", "a.b", "a" * 65].each do |after_id|
      messages = stream(after_id)

      assert_equal 1, messages.size
      assert_service_error messages.first, reason: "INVALID_ARGUMENT", status: 400, field: "after_id",
        message: "after_id must be #{Users::Keys::ID_RULE}"
    end
  end
end
