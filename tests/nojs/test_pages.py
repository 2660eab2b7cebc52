"""no.js in this process (on the test Redis): the rooms, a room's frames, the messages view and its cursor,
the form, earlier messages, and no script anywhere."""

from __future__ import annotations

import re

import pytest

from nojs.policy import POLICY
from shared.chat.messages import LATEST
from shared.chat.names import MAX_TEXT
from shared.chat.service import Chat
from tests.nojs.pages import ROOM, cursor_of, read, refresh_url, said

SCRIPT = re.compile(r"<script|javascript:|\son[a-z]+\s*=", re.I)


def test_the_home_page_lists_the_busiest_rooms_and_opens_one_by_name(alice, visitor, signed_up, chat: Chat):
    alice.say("hi")
    signed_up("bob").say("hello", room="garden")
    signed_up("cat").join(room="garden")
    page = read(visitor.get("/"))
    assert page.index('href="/rooms/garden">#garden</a> (2 here)') < page.index(
        'href="/rooms/lobby">#lobby</a> (1 here)'
    )
    opened = visitor.get("/?room=%20Tea-Time_2%20")
    assert (opened.status, opened.headers["Location"]) == (302, "/rooms/tea-time_2")  # trimmed, lower case


@pytest.mark.parametrize("name", ["two words", "é", "x" * 65, "a/b", ""])
def test_a_bad_room_name_is_refused_beside_the_field(visitor, name):
    refused = visitor.get("/", params={"room": name})
    assert refused.status == 400
    assert "A room name is 1 to 64 letters, digits, dashes or underscores." in refused.text
    assert 'value="' in refused.text and "<script" not in refused.text


@pytest.mark.parametrize("path", [f"/rooms/{ROOM}", f"/rooms/{ROOM}/messages", f"/rooms/{ROOM}/say"])
def test_an_anonymous_visitor_is_sent_to_log_in(visitor, path):
    response = visitor.get(path)
    assert response.status == 302 and response.headers["Location"].startswith("/login?next=")


def test_a_room_is_two_frames_with_a_path_for_a_browser_without_frames(alice):
    page = read(alice.get(f"/rooms/{ROOM}"))
    assert f'<frame name="messages" src="/rooms/{ROOM}/messages#bottom"' in page
    assert f'<frame name="say" src="/rooms/{ROOM}/say"' in page
    noframes = page.split("<noframes>")[1]
    assert f'href="/rooms/{ROOM}/messages"' in noframes and f'href="/rooms/{ROOM}/say"' in noframes


def test_the_view_shows_the_latest_and_refreshes_with_the_cursor_of_the_last_message(alice, chat: Chat):
    empty = read(alice.view())
    assert refresh_url(empty) == f"/rooms/{ROOM}/messages?cursor=0-0#bottom"
    assert alice.say("<b>bold</b> & 'quoted'").headers["Location"] == f"/rooms/{ROOM}/say"
    page = read(alice.view())
    assert said(page) == [("alice", "<b>bold</b> & 'quoted'")]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp;" in page  # escaped
    assert "alice joined" in page  # saying something in a room is being there
    last = chat.messages.latest(ROOM).cursor
    assert cursor_of(page) == last and refresh_url(page).endswith("#bottom")
    assert 'id="bottom"' in page


def test_a_view_with_an_older_cursor_answers_at_once_and_shows_each_later_message_once(alice, signed_up, chat: Chat):
    alice.say("one")
    old = cursor_of(read(alice.view()))
    bob = signed_up("bob")
    for text in ("two", "three"):
        bob.say(text)
    page = read(alice.view(old))  # news after the cursor: answered, not held
    assert [text for _, text in said(page)] == ["one", "two", "three"]
    again = read(alice.view(old))  # a reload with the same cursor shows the same, once each
    assert said(again) == said(page)
    assert cursor_of(page) == chat.messages.latest(ROOM).cursor


def test_more_new_messages_than_a_page_shows_are_all_shown_across_refreshes(alice, chat: Chat):
    start = cursor_of(read(alice.view()))
    posted = [chat.messages.post(ROOM, f"user{n}", f"message {n}").text for n in range(LATEST + 30)]
    seen: list[str] = []
    cursor = start
    while len(seen) < len(posted):
        page = read(alice.view(cursor))
        texts = [text for _, text in said(page)]
        seen += texts if cursor == start else [t for t in texts if t not in seen]
        cursor = cursor_of(page)
    assert seen == posted  # none skipped, in order
    first = read(alice.view(start))
    assert [text for _, text in said(first)] == posted[:100]  # a burst: the first page is all new, from the cursor


def test_an_old_cursor_shows_the_oldest_kept_and_says_some_were_missed(alice):
    page = read(alice.view("1-0"))
    assert "Some earlier messages are no longer kept" in page


@pytest.mark.parametrize("cursor", ["yesterday", "1-2-3", "-1-0"])
def test_a_bad_cursor_is_a_clear_400_page(alice, cursor):
    response = alice.view(cursor)
    assert response.status == 400
    assert "The cursor must be the id of a message" in response.text
    assert not SCRIPT.search(response.text)


def test_earlier_messages_page_back_without_script(alice, chat: Chat):
    posted = [chat.messages.post(ROOM, f"user{n}", f"message {n}").text for n in range(LATEST + 10)]
    view = read(alice.view())
    earlier = re.search(r'<a href="([^"]+)">Earlier messages</a>', view)
    assert earlier, "no link to earlier messages"
    back = read(alice.get(earlier.group(1).replace("&amp;", "&")))
    assert [text for _, text in said(back)] == posted[:10]
    assert "This is where the room starts" in back and "http-equiv" not in back  # a page that stays put
    assert alice.get(f"/rooms/{ROOM}/earlier?before=nope").status == 400


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write something first: a message cannot be empty."),
        ("   ", "Write something first: a message cannot be empty."),
        ("x" * (MAX_TEXT + 1), f"A message is at most {MAX_TEXT:,} characters"),
    ],
)
def test_a_bad_message_is_refused_in_the_form_and_nothing_is_written(alice, chat: Chat, text, message):
    refused = alice.say(text)
    assert refused.status == 400 and message in refused.text
    assert chat.messages.latest(ROOM).messages == []  # not even a "joined" line
    assert 'value="' in refused.text


def test_a_flood_is_refused_with_how_long_to_wait(alice, chat: Chat):
    for n in range(5):
        assert alice.say(f"message {n}").status == 303
    refused = alice.say("one too many")
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "You are sending messages too fast: wait" in refused.text
    assert "one too many" in refused.text  # kept in the field
    assert "one too many" not in [m.text for m in chat.messages.latest(ROOM).messages]


def test_join_is_a_post_and_the_view_joins_nobody(alice, chat: Chat):
    read(alice.view())
    assert chat.presence.listeners(ROOM) == []  # reading is not joining
    assert "Join the room" in read(alice.get(f"/rooms/{ROOM}/say"))
    assert alice.join().headers["Location"] == f"/rooms/{ROOM}/say"
    assert chat.presence.listeners(ROOM) == ["alice"]
    assert "Join the room" not in read(alice.get(f"/rooms/{ROOM}/say"))
    assert alice.get(f"/rooms/{ROOM}/join").status == 405


def test_no_page_has_any_script_and_every_one_forbids_it(alice, visitor):
    alice.say("hello")
    pages = [
        visitor.get("/"),
        visitor.get("/login"),
        visitor.get("/create"),
        visitor.get("/nowhere"),
        alice.get("/"),
        alice.get("/tokens"),
        alice.get(f"/rooms/{ROOM}"),
        alice.view(),
        alice.get(f"/rooms/{ROOM}/say"),
        alice.say(""),
        alice.get(f"/rooms/{ROOM}/earlier?before={cursor_of(read(alice.view()))}"),
        alice.view("bad"),
    ]
    for response in pages:
        assert not SCRIPT.search(response.text), response.text[:300]
        assert response.headers["Content-Security-Policy"] == POLICY
        assert "script-src 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "SAMEORIGIN"  # its own frames only
    assert visitor.get("/nowhere").status == 404
