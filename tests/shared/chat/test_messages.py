"""The chat core's messages on a real Redis: cursors, bounds, reset, rate limit, validation."""

from __future__ import annotations

import time

import pytest

from brubeck.cursors import BadCursor
from shared.chat.messages import MessageLog, RateLimited
from shared.chat.names import MAX_TEXT, BadInput, check_room, clean_text, parse_cursor
from shared.chat.service import Chat


def post_many(log: MessageLog, room: str, count: int) -> list[str]:
    """Post ``count`` messages from as many users (no rate limit met); their ids."""
    return [log.post(room, f"user{i}", f"message {i}").id for i in range(count)]


def test_reading_after_a_cursor_is_ordered_and_never_skips_or_repeats(chat: Chat):
    ids = post_many(chat.messages, "room", 250)
    seen: list[str] = []
    cursor = "0-0"
    while True:
        page = chat.messages.after("room", cursor)
        assert not page.reset
        if not page.messages:
            break
        assert len(page.messages) <= 100
        seen += [m.id for m in page.messages]
        cursor = page.cursor
    assert seen == ids
    assert cursor == ids[-1]
    assert [m.text for m in chat.messages.after("room", ids[10]).messages[:2]] == ["message 11", "message 12"]


def test_latest_answers_with_the_newest_fifty_and_their_cursor(chat: Chat):
    assert chat.messages.latest("empty").to_json() == {"messages": [], "cursor": "0-0", "reset": False}
    ids = post_many(chat.messages, "room", 60)
    page = chat.messages.latest("room")
    assert [m.id for m in page.messages] == ids[-50:]
    assert page.cursor == ids[-1]
    first = page.messages[0].to_json()
    assert first == {"id": ids[10], "user": "user10", "text": "message 10", "type": "message", "ts": first["ts"]}
    assert abs(first["ts"] - time.time() * 1000) < 60_000


def test_paging_back_from_the_latest_reaches_the_first_message_once_each(chat: Chat):
    ids = post_many(chat.messages, "room", 120)
    shown = [m.id for m in chat.messages.latest("room").messages]
    cursor, reached_start = shown[0], False
    while not reached_start:
        page = chat.messages.before("room", cursor)
        shown = [m.id for m in page.messages] + shown
        cursor, reached_start = page.cursor, page.reset
    assert shown == ids
    assert chat.messages.before("room", ids[0]).to_json() == {"messages": [], "cursor": ids[0], "reset": True}
    with pytest.raises(BadCursor):
        chat.messages.before("room", "not-a-cursor")


def test_a_room_keeps_its_last_messages_and_an_older_cursor_is_reset(client, chat: Chat):
    small = MessageLog(client, chat.keys, keep=5)
    ids = post_many(small, "room", 8)
    assert client.xlen(chat.keys.messages("room")) == 5
    reset = small.after("room", ids[0])  # ids[1] and ids[2] are gone: the client missed them
    assert reset.reset is True
    assert [m.id for m in reset.messages] == ids[3:]
    assert reset.cursor == ids[-1]
    exact = small.after("room", ids[2])  # the last one dropped was seen: nothing missed
    assert (exact.reset, [m.id for m in exact.messages]) == (False, ids[3:])
    future = small.after("room", "99999999999999-0")
    assert future.reset is True and [m.id for m in future.messages] == ids[3:]
    gone = small.after("no-such-room", "1700000000000-0")
    assert gone.to_json() == {"messages": [], "cursor": "0-0", "reset": True}


def test_rooms_expire_after_being_idle(client, chat: Chat):
    chat.messages.post("room", "ann", "hello")
    ttl_ms = client.pttl(chat.keys.messages("room"))
    assert 7 * 24 * 3600 * 1000 - 60_000 < ttl_ms <= 7 * 24 * 3600 * 1000


def test_five_messages_per_ten_seconds_per_user(client, chat: Chat):
    for i in range(5):
        chat.messages.post("room", "ann", f"m{i}")
    with pytest.raises(RateLimited) as refused:
        chat.messages.post("other-room", "ann", "too many")  # the limit is per user, across rooms
    assert 1 <= refused.value.retry_after <= 10
    chat.messages.post("room", "bob", "bob is not limited")
    chat.messages.note("room", "ann", "left")  # server lines are never limited
    assert [m.text for m in chat.messages.latest("room").messages][-2:] == ["bob is not limited", "ann left"]
    fast = MessageLog(client, chat.keys, rate_window_ms=300)
    for i in range(5):
        fast.post("room", "cy", f"m{i}")
    with pytest.raises(RateLimited):
        fast.post("room", "cy", "too soon")
    time.sleep(0.35)
    fast.post("room", "cy", "after the window")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "cannot be empty"),
        ("   \n\t ", "cannot be empty"),
        ("x" * (MAX_TEXT + 1), "at most 1,000"),
        ("a\x00b", "control"),
    ],
)
def test_bad_text_is_refused_with_a_message(chat: Chat, text: str, problem: str):
    with pytest.raises(BadInput) as refused:
        chat.messages.post("room", "ann", text)
    assert problem in refused.value.message and refused.value.field == "text"
    assert chat.messages.latest("room").messages == []


def test_text_is_trimmed_and_kept_as_written():
    assert clean_text("  <b>hi</b> & bye\n ") == "<b>hi</b> & bye"
    assert clean_text(" " + "é" * MAX_TEXT + " ") == "é" * MAX_TEXT


@pytest.mark.parametrize("cursor", ["", "abc", "1-", "-1", "1-2-3", "1.5-0", " 1-0", "1-0\n", "٣-0", "1" * 20 + "-0"])
def test_a_cursor_that_is_not_a_stream_id_is_refused(chat: Chat, cursor: str):
    with pytest.raises(BadCursor):
        chat.messages.after("room", cursor)
    assert parse_cursor("1700000000000-3") == (1700000000000, 3)


@pytest.mark.parametrize("name", ["", "a" * 65, "a b", "a:b", "../x", "é", "a\n"])
def test_room_names_are_checked(chat: Chat, name: str):
    with pytest.raises(BadInput):
        check_room(name)
    with pytest.raises(BadInput):
        chat.messages.post(name, "ann", "hello")
    with pytest.raises(BadInput):
        chat.join(name, "ann")
    assert check_room("4uLU6hMCjMI75M1A2tKUQC") == "4uLU6hMCjMI75M1A2tKUQC"
