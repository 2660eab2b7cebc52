"""no.js end to end: ``python -m nojs`` behind a real Mongrel2 on a real Redis, with clients that run no script."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

from tests.nojs.live import POLL_TIMEOUT_S, LiveChatter, signed_up
from tests.nojs.pages import cursor_of, read, said
from tests.support.raw_http import read_response
from tests.support.servers import Endpoint


def test_a_held_view_is_answered_by_a_post_through_the_form_while_it_waits(nojs: Endpoint, room: str) -> None:
    ann, bob = signed_up(nojs, "ann"), signed_up(nojs, "bob")
    cursor = cursor_of(read(ann.view(room=room)))
    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(ann.view, cursor, room=room, timeout=POLL_TIMEOUT_S + 10)
        time.sleep(0.5)
        assert not held.done()  # the view waits for news
        mine = ann.twin().say("my own words, while my view waits", room=room)  # the form is answered at once
        assert (mine.status_code, mine.headers["Location"]) == (303, f"/rooms/{room}/say")
        page = held.result(timeout=2).text  # and the held view with it, well within 2 s
    assert (ann.name, "my own words, while my view waits") in said(page)
    following = cursor_of(page)
    assert following != cursor

    with ThreadPoolExecutor(1) as pool:
        held = pool.submit(ann.view, following, room=room, timeout=POLL_TIMEOUT_S + 10)
        time.sleep(0.5)
        started = time.monotonic()
        assert bob.say("<i>hi</i> ann", room=room).status_code == 303
        page = held.result(timeout=5).text
        assert time.monotonic() - started < 2
    assert said(page)[-1] == (bob.name, "<i>hi</i> ann") and "&lt;i&gt;hi&lt;/i&gt;" in page  # escaped
    assert cursor_of(page) != following  # the refresh asks after what it now shows


def test_a_reload_with_an_old_cursor_shows_each_later_message_once(nojs: Endpoint, room: str) -> None:
    ann, bob = signed_up(nojs, "ann"), signed_up(nojs, "bob")
    old = cursor_of(read(ann.view(room=room)))
    for text in ("one", "two", "three"):
        assert bob.say(text, room=room).status_code == 303
    for _ in range(2):  # the same cursor twice: the same page, each message once
        page = read(ann.view(old, room=room))
        assert [text for user, text in said(page) if user == bob.name] == ["one", "two", "three"]


def test_the_view_holds_one_wait_and_loads_nothing_but_its_stylesheet(nojs: Endpoint, room: str) -> None:
    ann = signed_up(nojs, "ann")
    page = read(ann.view(room=room))
    assert page.count('http-equiv="refresh"') == 1
    assert "<frame" not in page and "<iframe" not in page and "<img" not in page and "<script" not in page
    assert page.count('rel="stylesheet"') == 1


def test_an_anonymous_visitor_is_sent_to_log_in_and_bad_input_gets_a_message(nojs: Endpoint, room: str) -> None:
    visitor = LiveChatter(nojs.url)
    assert visitor.get(f"/rooms/{room}").headers["Location"].startswith("/login?next=")
    assert visitor.get(f"/rooms/{room}/messages?cursor=0-0").headers["Location"].startswith("/login?next=")
    bad_room = visitor.get("/?room=no%20spaces")
    assert bad_room.status_code == 400 and "A room name is" in bad_room.text
    ann = signed_up(nojs, "ann")
    assert "cannot be empty" in ann.say("", room=room).text
    assert "at most 1,000 characters" in ann.say("x" * 1001, room=room).text
    statuses = [ann.say(f"flood {n}", room=room).status_code for n in range(6)]
    assert statuses == [303] * 5 + [429]
    assert ann.view("not-a-cursor", room=room).status_code == 400


def test_an_http_1_0_browser_is_answered(nojs: Endpoint) -> None:
    sock = socket.create_connection(("127.0.0.1", nojs.port), timeout=10)
    sock.sendall(b"GET / HTTP/1.0\r\nHost: nojs.localhost\r\n\r\n")
    status, headers, body = read_response(sock)
    assert status == 200 and b"<h1>Rooms</h1>" in body
    assert "script-src 'none'" in headers["content-security-policy"]
