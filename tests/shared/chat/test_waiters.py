"""The held polls of one process (shared/chat/waiters.py) on a real Redis, without Mongrel2: what is
answered at once, what is held under which key, what a wake-up releases, and no wake-up lost while a
poll checks.  The subscription itself is exercised through Mongrel2 (tests/spotichat/test_live.py and
test_redis_restart.py)."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from brubeck.responses import Response
from shared.chat import waiters as waiters_module
from shared.chat.messages import Page
from shared.chat.service import Chat
from shared.chat.waiters import TooManyPolls, Waiters


@dataclass
class FakeApp:
    """Records what ``release`` answers; ``held`` says how many polls each holder has held (its own waiting room)."""

    released: list[tuple[str, str, dict]] = field(default_factory=list)
    held: Counter[str] = field(default_factory=Counter)

    def waiting_room(self, name: str) -> FakeApp:
        return self

    def held_by(self, holder: str) -> int:
        return self.held[holder]

    def release(self, room: str, key: str, response: Response) -> int:
        self.released.append((room, key, json.loads(response.body)))
        return 1


@dataclass
class FakeHandler:
    """Records what ``hold`` was asked to hold."""

    held: list[tuple[str, str, float, dict]] = field(default_factory=list)

    def hold(self, room: str, key: str, timeout: float, response: Response, holders: tuple[str, ...]) -> None:
        self.held.append((room, key, timeout, json.loads(response.body)))
        self.holders = holders


def render(room: str, page: Page) -> Response:
    return Response(json.dumps(page.to_json()), headers={"X-Room": room})


@pytest.fixture
def app() -> FakeApp:
    return FakeApp()


@pytest.fixture
def waiters(chat: Chat, app: FakeApp, monkeypatch: pytest.MonkeyPatch) -> Waiters:
    """The chat's waiters, subscribed (as the listener would say), running what they spawn at once."""
    monkeypatch.setattr(waiters_module.concurrency, "spawn", lambda fn, *args: fn(*args))
    held = Waiters(chat.client, chat.keys, chat.messages, app, render, timeout=7.0)  # type: ignore[arg-type]
    held._subscribed.set()
    return held


def test_a_poll_with_news_is_answered_at_once(chat: Chat, waiters: Waiters):
    first = chat.messages.post("room", "ann", "one")
    chat.messages.post("room", "ann", "two")
    handler = FakeHandler()
    answer = waiters.wait(handler, "room", first.id, "ann", "127.0.0.1")  # type: ignore[arg-type]
    assert answer is not None and [m["text"] for m in json.loads(answer.body)["messages"]] == ["two"]
    assert answer.headers["X-Room"] == "room"  # the render function is told the room
    assert handler.held == []


def test_a_poll_without_news_is_held_under_its_room_and_cursor(chat: Chat, waiters: Waiters):
    cursor = chat.messages.post("room", "ann", "one").id
    handler = FakeHandler()
    assert waiters.wait(handler, "room", cursor, "ann", "127.0.0.1") is None  # type: ignore[arg-type]
    assert handler.held == [("chat", f"room {cursor}", 7.0, {"messages": [], "cursor": cursor, "reset": False})]


def test_a_wake_up_releases_each_cursor_once_with_what_is_new_after_it(chat: Chat, waiters: Waiters, app: FakeApp):
    first = chat.messages.post("room", "ann", "one").id
    second = chat.messages.post("room", "ann", "two").id
    assert waiters.wait(FakeHandler(), "room", first, "ann", "127.0.0.1") is not None  # type: ignore[arg-type]  # news: at once
    for _ in range(2):  # two polls holding the same cursor: one key, so one response for both
        assert waiters.wait(FakeHandler(), "room", second, "ann", "127.0.0.1") is None  # type: ignore[arg-type]
    third = chat.messages.post("room", "bob", "three")
    waiters._woken("room")  # what the subscription does on the message the post published
    assert app.released == [
        ("chat", f"room {second}", {"messages": [third.to_json()], "cursor": third.id, "reset": False})
    ]
    assert waiters.held_rooms() == 0
    waiters._woken("room")
    assert len(app.released) == 1  # nothing held any more: nothing released twice


def test_a_message_arriving_while_a_poll_checks_is_not_lost(chat: Chat, waiters: Waiters, monkeypatch):
    cursor = chat.messages.post("room", "ann", "one").id
    read = chat.messages.after
    calls: list[str] = []

    def racing_read(room: str, after: str) -> Page:
        page = read(room, after)
        if not calls:  # a post lands, and its wake-up arrives, after this read and before the hold
            chat.messages.post(room, "bob", "in between")
            waiters._woken(room)
        calls.append(after)
        return page

    monkeypatch.setattr(chat.messages, "after", racing_read)
    handler = FakeHandler()
    answer = waiters.wait(handler, "room", cursor, "ann", "127.0.0.1")  # type: ignore[arg-type]
    assert answer is not None, "held: the message posted during the check would wait for the next one"
    assert [m["text"] for m in json.loads(answer.body)["messages"]] == ["in between"]
    assert len(calls) == 2 and handler.held == []


def test_subscribing_again_checks_every_room_with_held_polls(chat: Chat, waiters: Waiters, app: FakeApp):
    cursor = chat.messages.post("room", "ann", "one").id
    waiters.wait(FakeHandler(), "room", cursor, "ann", "127.0.0.1")  # type: ignore[arg-type]
    chat.messages.post("room", "ann", "posted while this process had no subscription")
    waiters._on_subscribed()
    assert [m["text"] for m in app.released[0][2]["messages"]] == ["posted while this process had no subscription"]


def test_prune_forgets_cursors_whose_polls_timed_out(chat: Chat, waiters: Waiters, monkeypatch):
    cursor = chat.messages.post("room", "ann", "one").id
    waiters.wait(FakeHandler(), "room", cursor, "ann", "127.0.0.1")  # type: ignore[arg-type]
    assert waiters.held_rooms() == 1
    now = waiters_module.time.monotonic()
    monkeypatch.setattr(waiters_module.time, "monotonic", lambda: now + 8.0)
    waiters.prune()
    assert waiters.held_rooms() == 0


def test_an_account_or_address_at_its_bound_of_held_polls_is_refused(chat: Chat, waiters: Waiters, app: FakeApp):
    cursor = chat.messages.post("room", "ann", "one").id
    handler = FakeHandler()
    assert waiters.wait(handler, "room", cursor, "ann", "127.0.0.1") is None  # type: ignore[arg-type]
    assert handler.holders == ("user:ann", "addr:127.0.0.1")
    app.held["user:ann"] = waiters.held_per_account
    with pytest.raises(TooManyPolls) as refused:
        waiters.wait(FakeHandler(), "room", cursor, "ann", "10.0.0.9")  # type: ignore[arg-type]
    assert refused.value.retry_after == 7 and "this account" in refused.value.message
    assert waiters.wait(FakeHandler(), "room", cursor, "bob", "10.0.0.9") is None  # type: ignore[arg-type]
    app.held["addr:10.0.0.9"] = waiters.held_per_address
    with pytest.raises(TooManyPolls, match="this address"):
        waiters.wait(FakeHandler(), "room", cursor, "bob", "10.0.0.9")  # type: ignore[arg-type]
