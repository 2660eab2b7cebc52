"""A deleted account leaving every room of every chat site at once, on a real Redis (shared/chat/departures.py)."""

from __future__ import annotations

import logging
import time
import uuid

import pytest
import redis

from shared.chat.departures import leave_every_chat
from shared.chat.names import CHAT_SITES
from shared.chat.service import Chat
from shared.settings import ChatSettings
from tests.support.servers import NO_REDIS


def site(client: redis.Redis) -> Chat:
    return Chat(client, f"test-{uuid.uuid4().hex[:8]}")


def lines(chat: Chat, room: str) -> list[tuple[str, str]]:
    return [(m.type, m.text) for m in chat.messages.latest(room).messages]


def test_a_deleted_account_leaves_every_room_of_every_site_at_once_and_its_messages_stay(client, redis_url):
    ann = f"ann{uuid.uuid4().hex[:8]}"  # the tests share a Redis: a name of its own
    spoti, nojs = site(client), site(client)
    spoti.join("track", ann)
    spoti.join("track", "bob")
    spoti.messages.post("track", ann, "Is this the live version?")
    spoti.join("other", ann)
    nojs.join("lobby", ann)
    assert {spoti.keys.namespace, nojs.keys.namespace} <= client.smembers(CHAT_SITES)  # each noted itself
    own = (spoti.keys.user_rooms(ann), spoti.keys.rate(ann), spoti.keys.new_rooms(ann))
    assert client.exists(*own) == 3

    left = leave_every_chat(ChatSettings(redis_url=redis_url), ann)
    assert sorted(left) == sorted(
        [(spoti.keys.namespace, "track"), (spoti.keys.namespace, "other"), (nojs.keys.namespace, "lobby")]
    )
    assert spoti.presence.listeners("track") == ["bob"]
    assert spoti.presence.listeners("other") == nojs.presence.listeners("lobby") == []
    assert lines(spoti, "track")[-2:] == [("message", "Is this the live version?"), ("left", f"{ann} left")]
    assert lines(nojs, "lobby") == [("joined", f"{ann} joined"), ("left", f"{ann} left")]
    assert client.exists(*own) == 0  # nothing of theirs is kept but their messages
    assert leave_every_chat(ChatSettings(redis_url=redis_url), ann) == []  # said once
    assert spoti.presence.sweep() == [] and lines(nojs, "lobby")[-1] == ("left", f"{ann} left")


def test_without_a_redis_the_account_is_gone_all_the_same_and_it_is_logged(caplog: pytest.LogCaptureFixture):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="shared.chat"):
        assert leave_every_chat(ChatSettings(redis_url=NO_REDIS), "ann") == []
        assert leave_every_chat(ChatSettings(redis_url="not a redis address"), "ann") == []
    assert time.monotonic() - started < 2
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["ann is not taken out of the chat rooms"] * 2
