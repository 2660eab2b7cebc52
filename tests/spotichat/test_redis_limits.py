"""What one account can make Redis keep (issue "Hardening, second round", item 2): a bounded number of new
rooms an hour; and a Redis at its memory bound refuses writes (noeviction), which the chat answers with 503,
losing nothing it had said it kept."""

from __future__ import annotations

import uuid

import pytest
import redis

from brubeck.request_handling import Brubeck
from conf import bringup
from conf.settings import deployment
from shared.chat.messages import RateLimited
from shared.chat.service import Chat, connect
from shared.settings import Settings
from shared.store import Store
from spotichat.app import create_app
from tests.spotichat.conftest import Listener
from tests.spotichat.pages import OTHER_TRACK, TRACK
from tests.support.servers import RedisServer

ROOMS = ["A" * 22, "B" * 22, "C" * 22, "D" * 22]


@pytest.fixture
def small_chat(redis_url: str) -> Chat:
    return Chat(connect(redis_url), f"rooms-{uuid.uuid4().hex[:8]}", new_rooms=3)


def test_one_account_makes_a_bounded_number_of_rooms(small_chat: Chat) -> None:
    for room in ROOMS[:3]:
        small_chat.join(room, "mallory")
    with pytest.raises(RateLimited) as refused:
        small_chat.join(ROOMS[3], "mallory")
    assert refused.value.what == "rooms" and refused.value.retry_after > 3000
    assert "too many new rooms" in refused.value.message
    assert small_chat.presence.listeners(ROOMS[3]) == []  # not in it, and the room was not made
    assert not small_chat.client.exists(small_chat.keys.messages(ROOMS[3]))
    with pytest.raises(RateLimited):
        small_chat.messages.post(ROOMS[3], "mallory", "a new room by a message")
    small_chat.join(ROOMS[3], "ann")  # others still may
    small_chat.join(ROOMS[3], "mallory")  # and a room that exists is no new room
    assert small_chat.presence.listeners(ROOMS[3]) == ["ann", "mallory"]


def test_the_api_and_the_page_say_so_with_429(settings: Settings, store: Store, small_chat: Chat) -> None:
    app = create_app(settings, store, small_chat)
    mallory = Listener(app)
    mallory.sign_up("mallory")
    for room in ROOMS[:3]:
        assert mallory.join(track=room).status == 200
    refused = mallory.join(track=TRACK)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) > 3000
    assert "too many new rooms" in refused.json()["error"]["message"]
    page = mallory.post_form(f"/rooms/{OTHER_TRACK}/join", {}, form_url=f"/rooms/{OTHER_TRACK}")
    assert page.status == 429 and "too many new rooms" in page.text


def test_a_full_redis_refuses_writes_and_the_chat_answers_503(settings: Settings, store: Store, tmp_path) -> None:
    server = RedisServer(tmp_path, "--maxmemory-policy", "noeviction")
    server.start()
    try:
        client = connect(server.url)
        chat = Chat(client, "spotichat")
        app: Brubeck = create_app(settings, store, chat)
        ann = Listener(app)
        ann.sign_up("ann")
        assert ann.join().status == 200
        kept = ann.say("said before it filled up").json()["message"]
        used = int(client.info("memory")["used_memory"])
        client.config_set("maxmemory", used // 2)  # over its bound: every write that needs memory is refused
        with pytest.raises(redis.exceptions.OutOfMemoryError):
            client.set("filler", "x" * 1024)
        refused = ann.say("one more")
        assert refused.status == 503
        assert "unavailable" in refused.json()["error"]["message"]
        assert [m["text"] for m in ann.poll().json()["messages"]][-1] == kept["text"]  # nothing was evicted
    finally:
        server.stop()


def test_the_suites_redis_is_bounded_and_evicts_nothing() -> None:
    command = bringup.procfile(deployment({"REDIS_MAXMEMORY": "64mb"}))["redis"]
    assert "--maxmemory 64mb --maxmemory-policy noeviction" in command
