"""Presence on a real Redis: joining once, listing, expiring, the busiest rooms, who left."""

from __future__ import annotations

import time

from shared.chat.service import Chat


def test_a_poll_joins_once_and_writes_one_joined_line(chat: Chat):
    chat.arrive("room", "ann")
    chat.arrive("room", "ann")
    chat.arrive("room", "bob")
    assert chat.presence.listeners("room") == ["ann", "bob"]
    lines = [(m.type, m.user, m.text) for m in chat.messages.latest("room").messages]
    assert lines == [("joined", "ann", "ann joined"), ("joined", "bob", "bob joined")]


def test_listeners_are_gone_after_the_ttl_and_the_sweep_says_who_left(chat: Chat):
    chat.arrive("room", "ann")
    time.sleep(0.6)
    chat.arrive("room", "bob")
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
            chat.arrive(room, user)
    assert chat.presence.busiest() == [("busy", 3), ("mid", 2), ("quiet", 1)]
    assert chat.presence.busiest(limit=1) == [("busy", 3)]
    time.sleep(1.05)
    assert chat.presence.busiest() == []
