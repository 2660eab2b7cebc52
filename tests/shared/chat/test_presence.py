"""Presence on a real Redis: joining once, listing, expiring, the busiest rooms, who left."""

from __future__ import annotations

import time
import uuid

from shared.chat.service import Chat, connect


def test_joining_twice_writes_one_joined_line(chat: Chat):
    chat.join("room", "ann")
    chat.join("room", "ann")
    chat.join("room", "bob")
    assert chat.presence.listeners("room") == ["ann", "bob"]
    lines = [(m.type, m.user, m.text) for m in chat.messages.latest("room").messages]
    assert lines == [("joined", "ann", "ann joined"), ("joined", "bob", "bob joined")]


def test_listeners_are_gone_after_the_ttl_and_the_sweep_says_who_left(chat: Chat):
    chat.join("room", "ann")
    time.sleep(0.6)
    chat.join("room", "bob")
    time.sleep(0.5)  # ann last seen 1.1 s ago, bob 0.5 s ago; the TTL is 1 s
    assert chat.presence.listeners("room") == ["bob"]
    assert chat.presence.sweep() == [("room", "ann")]
    assert chat.presence.sweep() == []  # said once
    time.sleep(0.6)
    assert chat.presence.listeners("room") == []
    assert chat.presence.sweep() == [("room", "bob")]
    assert chat.client.zscore(chat.keys.rooms, "room") is None  # an empty room leaves the list


def test_the_busiest_rooms_come_first(chat: Chat):
    for room, users in {"quiet": ["ann"], "busy": ["ann", "bob", "cy"], "mid": ["bob", "cy"]}.items():
        for user in users:
            chat.join(room, user)
    assert chat.presence.busiest() == [("busy", 3), ("mid", 2), ("quiet", 1)]
    assert chat.presence.busiest(limit=1) == [("busy", 3)]
    time.sleep(1.05)
    assert chat.presence.busiest() == []


def test_a_poll_refreshes_a_listener_but_never_joins(chat: Chat):
    assert not chat.presence.refresh("room", "ann")
    chat.polled("room", "ann")
    assert chat.presence.listeners("room") == []
    assert chat.client.zscore(chat.keys.rooms, "room") is None
    chat.join("room", "ann")
    time.sleep(0.6)
    chat.polled("room", "ann")
    time.sleep(0.6)  # joined 1.2 s ago, polled 0.6 s ago; the TTL is 1 s
    assert chat.presence.listeners("room") == ["ann"]


def test_one_account_is_in_a_bounded_number_of_rooms_so_it_cannot_take_over_the_busiest_list(redis_url: str):
    chat = Chat(connect(redis_url), f"test-{uuid.uuid4().hex[:8]}", rooms_per_account=3)
    chat.join("real", "ann")
    chat.join("real", "bob")
    for n in range(30):  # mallory joins thirty rooms of her own naming
        chat.join(f"aaa{n:02}", "mallory")
    busiest = chat.presence.busiest()
    assert busiest[0] == ("real", 2)
    assert sum(count for room, count in busiest if room.startswith("aaa")) == 3  # people, and mallory is one
    assert [room for room, _ in busiest[1:]] == ["aaa27", "aaa28", "aaa29"]  # the rooms she is in now
    left = [m for m in chat.messages.latest("aaa00").messages if m.type == "left"]
    assert [m.user for m in left] == ["mallory"]  # she left the oldest with a line, as the sweep says it
    chat.polled("aaa27", "mallory")
    chat.join("real", "mallory")
    assert chat.presence.listeners("aaa28") == []  # the least recently seen one went
    assert chat.presence.listeners("aaa27") == ["mallory"]
