"""Joining a room is an explicit POST (issue "Hardening, second round", item 5): a GET or HEAD of a room,
its messages or its listeners never makes a signed-in user join, so a link on another site cannot put a
victim into the attacker's room. The room page's form and the script's first call join (CSRF-checked);
polls then keep a joined user's presence fresh."""

from __future__ import annotations

import pytest

from shared.chat.service import Chat
from tests.spotichat.conftest import Listener
from tests.spotichat.pages import TRACK

ROOM = f"/rooms/{TRACK}"
API = f"/api/rooms/{TRACK}"


def lines_of(chat: Chat) -> list[tuple[str, str]]:
    return [(message.type, message.user) for message in chat.messages.latest(TRACK).messages]


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_reading_a_room_joins_nobody(alice: Listener, chat: Chat, method: str) -> None:
    for path in (ROOM, f"{API}/messages", f"{API}/listeners"):
        assert alice.request(method, path).status == 200, path
    cursor = alice.poll().json()["cursor"]
    alice.request(method, f"{API}/messages?cursor={cursor}")  # no news: held, then forgotten with the app
    assert chat.presence.listeners(TRACK) == []
    assert lines_of(chat) == []


def test_the_api_joins_on_a_post_with_the_csrf_header(alice: Listener, chat: Chat) -> None:
    assert alice.post(f"{API}/join").status == 403  # the session cookie alone: no
    assert chat.presence.listeners(TRACK) == []
    response = alice.post(f"{API}/join", headers={"X-CSRF-Token": alice.room_token()})
    assert response.status == 200
    assert response.json() == {"listeners": ["alice"], "count": 1}
    assert alice.post(f"{API}/join", headers={"X-CSRF-Token": alice.room_token()}).status == 200
    assert lines_of(chat) == [("joined", "alice")]  # once


def test_the_room_page_joins_with_its_form(alice: Listener, chat: Chat) -> None:
    page = alice.get(ROOM)
    assert 'action="/rooms/' + TRACK + '/join"' in page.text
    response = alice.post_form(f"{ROOM}/join", {}, form_url=ROOM)
    assert (response.status, response.headers["Location"]) == (303, ROOM)
    assert chat.presence.listeners(TRACK) == ["alice"]
    assert 'action="/rooms/' + TRACK + '/join"' not in alice.get(ROOM).text  # joined: no button


def test_a_poll_keeps_a_joined_user_fresh(alice: Listener, signed_up, chat: Chat) -> None:
    alice.post(f"{API}/join", headers={"X-CSRF-Token": alice.room_token()})
    before = chat.client.zscore(chat.keys.presence(TRACK), "alice")
    alice.poll()
    assert chat.client.zscore(chat.keys.presence(TRACK), "alice") >= before
    bob = signed_up("bob")
    bob.poll()
    assert bob.say("hello").status == 201  # saying something is not joining either
    assert chat.presence.listeners(TRACK) == ["alice"]
    assert lines_of(chat) == [("joined", "alice"), ("message", "bob")]
