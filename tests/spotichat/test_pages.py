"""SpotiChat's pages and API in this process, on a real Redis: pasting a track, the rooms, the room page,
posting, polls that answer at once, credentials, limits, errors, and Redis being away.

Held polls, wake-ups and presence over time are tested through Mongrel2 (test_live.py, test_redis_restart.py).
"""

from __future__ import annotations

import pytest

from brubeck.testing import free_port
from shared.chat.service import Chat, connect
from spotichat.app import create_app
from tests.spotichat.conftest import Listener
from tests.spotichat.pages import OTHER_TRACK, TRACK, listed_on
from tests.support.pages import XSS, XSS_ESCAPED, elements, fetched_resources, field_error, with_token

ROOM = f"/rooms/{TRACK}"
API = f"/api/rooms/{TRACK}"


def error_of(response, status: int) -> dict:
    assert response.status == status, response.text
    assert response.headers["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == status and error["message"]
    return error


# -- the home page -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        f"spotify:track:{TRACK}",
        f"https://open.spotify.com/intl-fr/track/{TRACK}?si=x1y2",
        f"open.spotify.com/track/{TRACK}",
    ],
)
def test_pasting_a_track_goes_to_its_room(visitor, pasted):
    response = visitor.get("/", params={"track": pasted})
    assert (response.status, response.location) == (302, ROOM)


def test_anything_else_is_answered_beside_the_field(visitor):
    response = visitor.get("/", params={"track": f"https://open.spotify.com/album/{TRACK}"})
    assert response.status == 400
    assert "That is not a Spotify track." in field_error(response.text, "track")
    assert elements(response.text, "input")[0]["value"] == f"https://open.spotify.com/album/{TRACK}"


def test_the_home_page_lists_the_busiest_rooms(visitor, chat):
    assert "Nobody is chatting right now." in visitor.get("/").text
    for track, users in {TRACK: ["ann", "bob"], OTHER_TRACK: ["cy"]}.items():
        for user in users:
            chat.join(track, user)
    page = visitor.get("/").text
    assert page.index(f'href="/rooms/{TRACK}"') < page.index(f'href="/rooms/{OTHER_TRACK}"')
    assert "2 listening" in page and "1 listening" in page


# -- the room page -------------------------------------------------------------------------------------------


def test_the_room_needs_an_account(visitor):
    response = visitor.get(ROOM)
    assert (response.status, response.location) == (302, f"/login?next={ROOM}")


def test_the_room_shows_the_conversation_who_is_there_and_a_message_box(alice, chat):
    chat.join(TRACK, "bob")
    chat.messages.post(TRACK, "bob", XSS)
    page = alice.get(ROOM)
    assert page.status == 200
    assert XSS not in page.text and XSS_ESCAPED in page.text
    assert "bob joined" in page.text
    assert page.text.index("bob joined") < page.text.index(XSS_ESCAPED)  # newest at the bottom
    assert "just now" in page.text
    assert listed_on(page.text) == ["bob"]
    assert elements(page.text, "section")[0]["data-cursor"] == chat.messages.latest(TRACK).cursor
    assert [s.get("src") for s in elements(page.text, "script")] == ["/static/room.js"]  # our own script, no inline one
    assert all(a.startswith("/") for a in fetched_resources(page.text))
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in page.text.lower()


def test_a_room_that_is_not_a_track_is_404(alice):
    assert alice.get("/rooms/not-a-track").status == 404


def test_the_message_box_works_without_the_script(alice, chat):
    token = alice.room_token()
    response = alice.post(ROOM, data={"text": "  hello <b>you</b>  ", "_csrf": token})
    assert (response.status, response.location) == (303, ROOM)
    assert [(m.user, m.text) for m in chat.messages.latest(TRACK).messages] == [("alice", "hello <b>you</b>")]
    empty = alice.post(ROOM, data={"text": "   ", "_csrf": token})
    assert empty.status == 400 and "cannot be empty" in empty.text
    assert alice.post(ROOM, data={"text": "no token"}).status == 403


# -- the API -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [f"{API}/messages", f"{API}/listeners", "/api/rooms"])
@pytest.mark.parametrize("authorization", [None, "Token not-a-key", "Basic YWxpY2U6eA=="])
def test_the_api_needs_credentials(visitor, path, authorization):
    response = visitor.get(path, headers={"Authorization": authorization} if authorization else {})
    error_of(response, 401)


def test_posting_and_reading_with_the_session_cookie(alice, chat):
    assert alice.join().status == 200  # what the room page's script does first
    joined = alice.poll()  # no cursor: at once, the latest
    assert joined.status == 200
    assert joined.headers["Content-Type"] == "application/json"
    assert joined.headers["X-Content-Type-Options"] == "nosniff"
    assert joined.headers["Cache-Control"] == "no-store"
    said = alice.say(f"  {XSS}  ")
    assert said.status == 201, said.text
    message = said.json()["message"]
    assert (message["user"], message["text"], message["type"]) == ("alice", XSS, "message")
    body = alice.poll().json()
    assert body["reset"] is False and body["cursor"] == message["id"]
    assert [(m["type"], m["text"]) for m in body["messages"]] == [("joined", "alice joined"), ("message", XSS)]
    after = alice.poll(body["messages"][0]["id"])  # news after this cursor: answered at once
    assert after.status == 200
    assert after.json() == {"messages": [message], "cursor": message["id"], "reset": False}


def test_a_post_needs_the_csrf_header_with_a_cookie_but_not_with_a_token(alice, visitor):
    refused = alice.post(f"{API}/messages", json={"text": "no token"})
    assert refused.status == 403
    key = alice.new_token()
    by_key = visitor.post(f"{API}/messages", json={"text": "by key"}, headers=with_token(key))
    assert by_key.status == 201 and by_key.json()["message"]["user"] == "alice"
    assert visitor.get(f"{API}/listeners", headers=with_token(key)).status == 200


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"text": ""}, 400, "cannot be empty"),
        ({"text": "x" * 1001}, 400, "at most 1,000"),
        ({"text": 5}, 400, "must be"),
        (["text"], 400, "must be"),
    ],
)
def test_bad_messages_are_refused_with_a_message(alice, chat, body, status, says):
    response = alice.post(f"{API}/messages", json=body, headers={"X-CSRF-Token": alice.room_token()})
    assert says in error_of(response, status)["message"]
    assert chat.messages.latest(TRACK).messages == []


def test_a_body_that_is_not_json_is_refused(alice):
    headers = {"X-CSRF-Token": alice.room_token()}
    error_of(alice.post(f"{API}/messages", data={"text": "form"}, headers=headers), 415)
    raw = alice.post(f"{API}/messages", body=b"{nope", headers={**headers, "Content-Type": "application/json"})
    error_of(raw, 400)


def test_the_sixth_message_in_ten_seconds_gets_429_with_retry_after(alice):
    for i in range(5):
        assert alice.say(f"message {i}").status == 201
    refused = alice.say("one too many")
    error = error_of(refused, 429)
    assert "too fast" in error["message"]
    assert 1 <= int(refused.headers["Retry-After"]) <= 10


@pytest.mark.parametrize("cursor", ["yesterday", "1-2-3", "-1", "12345678901234567890-0"])
def test_a_cursor_that_is_not_a_stream_id_gets_400(alice, cursor):
    error = error_of(alice.poll(cursor), 400)
    assert "cursor" in error["fields"]


def test_a_room_that_is_not_a_track_id_gets_400(alice):
    error_of(alice.poll(track="not-a-track"), 400)
    error_of(alice.say("hi", track="bad"), 400)


def test_listeners_and_rooms(alice, signed_up, chat):
    assert alice.join().status == 200
    bob = signed_up("bob")
    assert bob.join().status == 200
    assert bob.join(track=OTHER_TRACK).status == 200
    assert alice.listeners() == ["alice", "bob"]
    rooms = alice.get("/api/rooms").json()["rooms"]
    assert rooms == [{"track": TRACK, "listeners": 2}, {"track": OTHER_TRACK, "listeners": 1}]


def test_unknown_api_paths_are_json_404s(alice):
    error_of(alice.get("/api/nothing"), 404)
    error_of(alice.get(f"{API}/nothing"), 404)


def test_while_redis_is_away_the_api_and_pages_answer_503(settings, store, signed_up):
    down = connect(f"redis://127.0.0.1:{free_port()}/0")
    app = create_app(settings, store, Chat(down, "spotichat"))
    client = Listener(app)
    client.sign_up("dora")
    for response in (client.poll(), client.get(f"{API}/listeners"), client.get("/api/rooms")):
        error = error_of(response, 503)
        assert "unavailable" in error["message"] and response.headers["Retry-After"]
    page = client.get("/")
    assert page.status == 503 and "unavailable" in page.text
