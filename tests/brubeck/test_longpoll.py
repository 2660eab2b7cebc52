"""Held requests: bulk release, disconnects, timeouts, and the WSGI (event) mode."""

import gevent
import pytest

import brubeck.longpoll
from brubeck.connections import Mongrel2Connection
from brubeck.mongrel2 import reply_frames
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.responses import Response
from tests.support.brubeck_requests import FakeConnection, FakeSocket, frame, req


class Wait(WebMessageHandler):
    def get(self, key):
        timeout = float(self.get_argument("timeout", "30"))
        holders = tuple(self.get_arguments("holder"))
        return self.hold("chat", key, timeout, Response("no news", 200), holders)


@pytest.fixture
def conn():
    return FakeConnection()


@pytest.fixture
def app(conn):
    return Brubeck(msg_conn=conn, handler_tuples=[(r"/wait/(\w+)", Wait)])


@pytest.fixture(autouse=True)
def fast_sweeps(monkeypatch):
    monkeypatch.setattr(brubeck.longpoll, "SWEEP_INTERVAL", 0.01)


def hold(app, conn_id, key="room1", method="GET", query=""):
    return app.handle(req(method, f"/wait/{key}{query}", sender="S", conn_id=str(conn_id)))


def test_hold_returns_none(app, conn):
    assert hold(app, 1) is None
    assert len(app.waiting_room("chat")) == 1
    assert conn.replies == []
    assert app.release("chat", "room1", Response("done")) == 1


def test_release_answers_300_waiters_in_one_bulk_reply(app, conn):
    ids = [str(i) for i in range(300)]
    for conn_id in ids:
        assert hold(app, conn_id) is None
    hold(app, 999, key="other")

    assert app.release("chat", "room1", Response("news!")) == 300

    [(sender, conn_ids, payload)] = conn.replies
    assert sender == "S"
    assert sorted(conn_ids, key=int) == ids
    assert payload.startswith(b"HTTP/1.1 200 OK\r\n")
    assert payload.endswith(b"\r\n\r\nnews!")
    assert len(reply_frames(sender, conn_ids, payload)) == 3
    assert len(app.waiting_room("chat")) == 1  # only the waiter under "other"
    assert app.release("chat", "room1", Response("again")) == 0
    assert app.release("chat", "other", Response("done")) == 1


def test_head_waiters_get_no_body(app, conn):
    hold(app, 1)
    hold(app, 2, method="HEAD")
    app.release("chat", "room1", Response("news!"))
    payloads = {tuple(ids): payload for _, ids, payload in conn.replies}
    assert payloads[("1",)].endswith(b"news!")
    assert payloads[("2",)].endswith(b"\r\n\r\n")
    assert b"Content-Length: 5\r\n" in payloads[("2",)]


def test_forget_removes_a_waiter(app, conn):
    hold(app, 1)
    hold(app, 2)
    app.waiting_room("chat").forget("S", "1")
    assert app.release("chat", "room1", Response("news!")) == 1
    assert [ids for _, ids, _ in conn.replies] == [["2"]]


def test_disconnect_message_forgets_the_waiter(app, conn):
    mongrel2 = Mongrel2Connection("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
    mongrel2.out_sock = FakeSocket()
    mongrel2.handle_message(app, frame({"METHOD": "GET", "PATH": "/wait/room1"}, sender="S", conn_id="5"))
    assert len(app.waiting_room("chat")) == 1
    mongrel2.handle_message(
        app, frame({"METHOD": "JSON", "PATH": "@*"}, b'{"type":"disconnect"}', sender="S", conn_id="5", path="@*")
    )
    assert len(app.waiting_room("chat")) == 0
    assert app.release("chat", "room1", Response("news!")) == 0
    assert mongrel2.out_sock.sent == []
    assert conn.replies == []


def test_timeout_answers_with_the_timeout_response(app, conn):
    hold(app, 1, query="?timeout=0.05")
    hold(app, 2)  # a long timeout: still waiting afterwards
    gevent.sleep(0.2)
    [(sender, ids, payload)] = conn.replies
    assert (sender, ids) == ("S", ["1"])
    assert payload.endswith(b"\r\n\r\nno news")
    assert len(app.waiting_room("chat")) == 1
    app.waiting_room("chat").forget("S", "2")


def test_expire_all_answers_every_waiter_with_its_timeout_response(app, conn):
    hold(app, 1)
    hold(app, 2, key="other", method="HEAD")
    assert app.waiting_room("chat").expire_all() == 2
    payloads = {tuple(ids): payload for _, ids, payload in conn.replies}
    assert payloads[("1",)].endswith(b"\r\n\r\nno news")
    assert payloads[("2",)].endswith(b"\r\n\r\n")
    assert len(app.waiting_room("chat")) == 0
    assert app.waiting_room("chat").expire_all() == 0


def test_each_holder_counts_what_it_holds_until_it_is_answered_forgotten_or_timed_out(app, conn):
    room = app.waiting_room("chat")
    hold(app, 1, query="?holder=user:ann&holder=addr:a")
    hold(app, 2, query="?holder=user:ann&holder=addr:a")
    hold(app, 3, key="other", query="?holder=user:bob&holder=addr:a")
    hold(app, 4, key="other", query="?holder=user:ann&holder=addr:b&timeout=0.05")
    assert [room.held_by(h) for h in ("user:ann", "user:bob", "addr:a", "addr:b", "user:eve")] == [3, 1, 3, 1, 0]
    gevent.sleep(0.2)  # 4 timed out
    assert (room.held_by("user:ann"), room.held_by("addr:b")) == (2, 0)
    room.forget("S", "1")
    assert (room.held_by("user:ann"), room.held_by("addr:a")) == (1, 2)
    app.release("chat", "room1", Response("news"))
    assert (room.held_by("user:ann"), room.held_by("addr:a"), room.held_by("user:bob")) == (0, 1, 1)
    room.expire_all()
    assert room.held_by("user:bob") == room.held_by("addr:a") == 0


# -- without Mongrel2 (WSGI): the greenlet waits --------------------------------------------


def test_event_mode_release():
    app = Brubeck(handler_tuples=[(r"/wait/(\w+)", Wait)])
    waiting = gevent.spawn(app.handle, req("GET", "/wait/room1"))
    gevent.sleep(0.01)
    assert len(app.waiting_room("chat")) == 1
    assert app.release("chat", "room1", Response("news!")) == 1
    response = waiting.get(timeout=1)
    assert (response.status, response.body) == (200, b"news!")
    assert len(app.waiting_room("chat")) == 0


def test_event_mode_timeout():
    app = Brubeck(handler_tuples=[(r"/wait/(\w+)", Wait)])
    response = app.handle(req("GET", "/wait/room1?timeout=0.02"))
    assert (response.status, response.body) == (200, b"no news")
    assert len(app.waiting_room("chat")) == 0


def test_default_timeout_response_is_204():
    app = Brubeck()
    response = WebMessageHandler(app, req("GET", "/")).hold("r", "k", 0.01)
    assert (response.status, response.body) == (204, b"")
    assert len(app.waiting_room("r")) == 0
