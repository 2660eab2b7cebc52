"""How Mongrel2Connection hands messages to greenlets: ReusingSpawner, the receive loop and its batches."""

import logging

import gevent
import gevent.event
import pytest
import zmq

from brubeck.concurrency import ReusingSpawner
from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck
from brubeck.testing import free_port
from tests.unit.brubeck_helpers import FakeSocket, frame


def test_calls_run_at_once_and_greenlets_are_reused():
    spawner = ReusingSpawner()
    ran = []

    def call(n, release):
        ran.append((n, gevent.getcurrent()))
        release.wait()

    first, second = gevent.event.Event(), gevent.event.Event()
    for n in range(3):
        spawner.spawn(call, n, first)
    gevent.sleep(0.01)
    assert [n for n, _ in ran] == [0, 1, 2]  # none waited for another
    first_greenlets = {g for _, g in ran}
    assert len(first_greenlets) == 3
    first.set()
    gevent.sleep(0.01)

    for n in range(3, 6):
        spawner.spawn(call, n, second)
    gevent.sleep(0.01)
    assert [n for n, _ in ran[3:]] == [3, 4, 5]  # each blocked in a greenlet of its own
    assert {g for _, g in ran[3:]} == first_greenlets  # the finished greenlets came back
    second.set()


def test_idle_greenlets_are_bounded():
    spawner = ReusingSpawner(max_idle=2)
    release = gevent.event.Event()
    for _ in range(5):
        spawner.spawn(release.wait)
    gevent.sleep(0.01)
    release.set()
    gevent.sleep(0.01)
    assert spawner._idle == 2


def test_an_exception_is_logged_and_the_greenlet_serves_on(caplog):
    spawner = ReusingSpawner()
    done = []
    with caplog.at_level(logging.ERROR, logger="brubeck.concurrency"):
        spawner.spawn(lambda: 1 / 0)
        gevent.sleep(0.01)
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)
    spawner.spawn(done.append, "after")
    gevent.sleep(0.01)
    assert done == ["after"]


class _CollectingConnection(Mongrel2Connection):
    """Records the messages its loop hands out; ``done`` is set once ``wanted`` have come."""

    wanted = 1

    def __init__(self, pull_addr, pub_addr):
        super().__init__(pull_addr, pub_addr)
        self.handled = []
        self.done = gevent.event.Event()

    def handle_message(self, app, message):
        self.handled.append(message)
        if len(self.handled) >= self.wanted:
            self.done.set()


@pytest.fixture
def pushed():
    """A connected connection whose PULL socket is fed by ``push``; its loop is stopped afterwards."""
    context = zmq.Context.instance()
    push = context.socket(zmq.PUSH)
    push.setsockopt(zmq.LINGER, 0)
    port = free_port()
    push.bind(f"tcp://127.0.0.1:{port}")
    conn = _CollectingConnection(f"tcp://127.0.0.1:{port}", f"tcp://127.0.0.1:{free_port()}")
    conn.connect()
    loops = []
    yield push, conn, lambda: loops.append(gevent.spawn(conn.process_messages, None))
    gevent.killall(loops)
    conn.in_sock.close(0)
    conn.out_sock.close(0)
    push.close(0)


def test_the_loop_lets_other_greenlets_run_while_it_waits(pushed):
    push, conn, start_loop = pushed
    ticks = []

    def ticker():
        for n in range(5):
            ticks.append(n)
            gevent.sleep(0.01)
        push.send(b"hello")

    start_loop()
    gevent.spawn(ticker)
    assert conn.done.wait(5)
    assert conn.handled == [b"hello"]
    assert ticks == [0, 1, 2, 3, 4]


def test_the_loop_hands_out_queued_messages_in_order(pushed):
    push, conn, start_loop = pushed
    for n in range(100):
        push.send(b"%d" % n)
    conn.wanted = 100
    start_loop()
    assert conn.done.wait(5)
    assert conn.handled == [b"%d" % n for n in range(100)]


class _Stop(Exception):
    pass


class _QueuedPull:
    """A PULL socket with everything already queued: counts what was taken."""

    def __init__(self, messages):
        self.messages = list(messages)
        self.taken = 0

    def recv(self, flags=0):
        if not self.messages:
            raise zmq.Again()
        self.taken += 1
        return self.messages.pop(0)


class _QueuedConnection(Mongrel2Connection):
    """Reads from a :class:`_QueuedPull`, publishes to a FakeSocket, ends when the queue is empty."""

    BATCH = 10

    def __init__(self, messages):
        super().__init__("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
        self.in_sock = _QueuedPull(messages)
        self.out_sock = FakeSocket()

    def _wait_for_messages(self):
        gevent.sleep(0)  # the last replies are published
        raise _Stop


class _RecordingConnection(_QueuedConnection):
    def __init__(self, messages):
        super().__init__(messages)
        self.handled = []

    def handle_message(self, app, message):
        self.handled.append((message, self.in_sock.taken))


def test_process_messages_hands_out_a_batch_then_lets_it_run():
    conn = _RecordingConnection(b"%d" % n for n in range(35))
    with pytest.raises(_Stop):
        conn.process_messages(app=None)
    assert [message for message, _ in conn.handled] == [b"%d" % n for n in range(35)]
    # each message's greenlet ran once its batch (10 at most) was taken, before the next batch
    assert [taken for _, taken in conn.handled] == [10] * 10 + [20] * 10 + [30] * 10 + [35] * 5


def test_the_loop_drops_garbage_and_keeps_serving(caplog):
    app = Brubeck()
    app.add_route_rule(r"/hello/(\d+)", lambda application, message, n: f"hello {n}")
    messages = [
        frame({"METHOD": "GET", "PATH": "/hello/1"}, conn_id="1"),
        b"garbage",
        b"1 2 / 3:abc,0:,",
        frame({"METHOD": "GET", "PATH": "/hello/2"}, conn_id="2"),
    ]
    conn = _QueuedConnection(messages)
    with caplog.at_level(logging.WARNING, logger="brubeck.connections"), pytest.raises(_Stop):
        conn.process_messages(app)
    hello_1, bad_request, close, hello_2 = conn.out_sock.sent  # headers that are not JSON: 400, and closed
    assert hello_1.startswith(b"S 1:1, ") and hello_1.endswith(b"hello 1")
    assert bad_request.startswith(b"1 1:2, HTTP/1.1 400 Bad Request\r\n") and close == b"1 1:2, "
    assert hello_2.startswith(b"S 1:2, ") and hello_2.endswith(b"hello 2")
    assert sum("malformed" in r.getMessage() for r in caplog.records) == 2
