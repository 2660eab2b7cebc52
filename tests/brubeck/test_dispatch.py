"""How Mongrel2Connection answers messages: ReusingSpawner, the receive loop, its batches and what happens
when a request blocks, and how it starts (replies first) and stops (the drain)."""

import gc
import logging
import os
import signal
import time

import gevent
import gevent.event
import pytest
import zmq

from brubeck import concurrency
from brubeck.concurrency import ReusingSpawner
from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.testing import free_port
from tests.support.brubeck_requests import FakeSocket, frame


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


class Mongrel2Sockets:
    """Mongrel2's side of a connection: a bound PUSH for requests, a bound SUB for replies, read all the time
    (as Mongrel2 does: a SUB socket sends its subscription to a new peer only while its owner calls into it)."""

    def __init__(self, subscribe=True):
        context = zmq.Context.instance()
        self.pull_addr, self.pub_addr = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
        self.push = context.socket(zmq.PUSH)
        self.push.setsockopt(zmq.LINGER, 0)
        self.push.bind(self.pull_addr)
        self.sub = context.socket(zmq.SUB)
        self.sub.setsockopt(zmq.LINGER, 0)
        self.received = []
        self._reader = None
        if subscribe:
            self.subscribe()

    def subscribe(self):
        self.sub.setsockopt(zmq.SUBSCRIBE, b"")
        self.sub.bind(self.pub_addr)
        self._reader = gevent.spawn(self._read)

    def _read(self):
        while True:
            while self.sub.poll(0):
                self.received.append(self.sub.recv())
            gevent.sleep(0.005)

    def replies(self, wanted, timeout=5.0):
        """The first ``wanted`` frames published to Mongrel2 (fewer if ``timeout`` passes)."""
        deadline = time.monotonic() + timeout
        while len(self.received) < wanted and time.monotonic() < deadline:
            gevent.sleep(0.01)
        return self.received[:wanted]

    def close(self):
        if self._reader is not None:
            self._reader.kill()
        self.push.close(0)
        self.sub.close(0)


@pytest.fixture
def mongrel2_sockets():
    sockets = Mongrel2Sockets()
    yield sockets
    sockets.close()


def _close(conn):
    for sock in (conn.in_sock, conn.out_sock):
        if sock is not None:
            sock.close(0)
    if conn._context is not None:
        conn._context.term()


@pytest.fixture
def pushed(mongrel2_sockets):
    """A connected connection whose PULL socket is fed by ``push``; its loop is stopped afterwards."""
    conn = _CollectingConnection(mongrel2_sockets.pull_addr, mongrel2_sockets.pub_addr)
    conn.connect()
    loops = []
    yield mongrel2_sockets.push, conn, lambda: loops.append(gevent.spawn(conn.process_messages, None))
    gevent.killall(loops)
    _close(conn)


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

    def close(self, linger=None):
        self.closed = True


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


def test_process_messages_answers_each_message_as_it_takes_it():
    conn = _RecordingConnection(b"%d" % n for n in range(35))
    with pytest.raises(_Stop):
        conn.process_messages(app=None)
    assert conn.handled == [(b"%d" % n, n + 1) for n in range(35)]  # in order, none waiting for a batch


class _BlockingConnection(_QueuedConnection):
    """``slow`` blocks for a moment; records which greenlet answered each message, once it is answered."""

    def __init__(self, messages):
        super().__init__(messages)
        self.answered = []

    def handle_message(self, app, message):
        if message.startswith(b"slow"):
            gevent.sleep(0.05)
        self.answered.append((message, gevent.getcurrent()))

    def _wait_for_messages(self):
        self.stop()  # the queue is empty: stop, once the blocked requests are done
        gevent.sleep(0)


def test_a_request_that_blocks_hands_the_receiving_to_another_greenlet():
    conn = _BlockingConnection([b"1", b"slow 1", b"2", b"slow 2", b"3"])
    caller = gevent.getcurrent()
    conn.process_messages(app=None)  # returns once drained: both slow requests finished
    order = [message for message, _ in conn.answered]
    assert order == [b"1", b"2", b"3", b"slow 1", b"slow 2"]  # the others did not wait for the slow ones
    greenlets = dict(conn.answered)
    assert greenlets[b"1"] is greenlets[b"slow 1"] is caller  # answered where they were received
    assert greenlets[b"2"] is greenlets[b"slow 2"] is not caller  # the next greenlet took over, then another
    assert greenlets[b"3"] not in (caller, greenlets[b"2"])
    assert conn._blocked == 0


def test_an_exception_is_logged_and_the_loop_serves_on(caplog):
    conn = _RecordingConnection([b"boom", b"after"])
    recorded = conn.handle_message

    def handle_message(app, message):
        if message == b"boom":
            raise ZeroDivisionError
        recorded(app, message)

    conn.handle_message = handle_message
    with caplog.at_level(logging.ERROR, logger="brubeck.connections"), pytest.raises(_Stop):
        conn.process_messages(app=None)
    assert [message for message, _ in conn.handled] == [b"after"]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_no_message_is_taken_while_max_running_requests_run():
    conn = _BlockingConnection([b"slow %d" % n for n in range(5)])
    conn.MAX_RUNNING = 2
    started = time.monotonic()
    conn.process_messages(app=None)
    assert sorted(message for message, _ in conn.answered) == [b"slow %d" % n for n in range(5)]
    assert time.monotonic() - started >= 0.15  # two at a time: three rounds of 0.05 s


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


# -- starting: replies first --------------------------------------------------------------------------------


def test_requests_are_taken_only_once_mongrel2_subscribed_to_the_replies():
    """A reply published before Mongrel2's subscription arrives is dropped (the slow joiner)."""
    mongrel2 = Mongrel2Sockets(subscribe=False)
    conn = Mongrel2Connection(mongrel2.pull_addr, mongrel2.pub_addr)
    connecting = gevent.spawn(conn.connect)
    try:
        gevent.sleep(0.3)
        assert not connecting.dead and conn.in_sock is None  # no request taken yet: a reply would be lost
        mongrel2.subscribe()
        connecting.join(5)
        assert connecting.successful() and conn.in_sock is not None
        conn.out_sock.send(b"S 1:1, first reply")
        assert mongrel2.replies(1) == [b"S 1:1, first reply"]
    finally:
        connecting.kill()
        _close(conn)
        mongrel2.close()


def test_stop_while_waiting_for_the_subscription_takes_no_request():
    mongrel2 = Mongrel2Sockets(subscribe=False)
    conn = Mongrel2Connection(mongrel2.pull_addr, mongrel2.pub_addr)
    serving = gevent.spawn(conn.process_messages, None)
    try:
        gevent.sleep(0.1)
        conn.stop()
        serving.join(2)
        assert serving.successful()
        assert conn.in_sock.closed
    finally:
        serving.kill()
        _close(conn)
        mongrel2.close()


# -- stopping: the drain ------------------------------------------------------------------------------------


class _SlowConnection(Mongrel2Connection):
    """Each message takes ``seconds`` to handle; records when each one started and ended."""

    seconds = 0.2

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.started, self.finished = [], []

    def handle_message(self, app, message):
        self.started.append(message)
        gevent.sleep(self.seconds)
        self.finished.append(message)
        self.publish(b"S 1:%s, done" % message)


def test_stop_finishes_the_running_requests_sends_their_replies_and_returns(mongrel2_sockets):
    conn = _SlowConnection(mongrel2_sockets.pull_addr, mongrel2_sockets.pub_addr)
    serving = gevent.spawn(conn.process_messages, None)
    try:
        gevent.sleep(0.2)  # connected
        for n in range(3):
            mongrel2_sockets.push.send(b"%d" % n)
        while len(conn.started) < 3:
            gevent.sleep(0.01)
        conn.stop()
        assert conn.finished == []  # still running
        serving.join(2)
        assert serving.successful()
        assert conn.finished == [b"0", b"1", b"2"]
        assert conn.in_sock.closed  # Mongrel2 sends new requests to other processes
        conn.close()
        assert sorted(mongrel2_sockets.replies(3)) == [b"S 1:0, done", b"S 1:1, done", b"S 1:2, done"]
    finally:
        serving.kill()
        _close(conn)


def test_stop_hands_out_what_is_queued_before_it_disconnects():
    """ZeroMQ drops the messages queued in a socket that closes: they are taken first."""
    conn = _RecordingConnection([b"1", b"2", b"3"])
    conn.stop()
    conn.process_messages(app=None)  # the loop does not run; the drain takes the queue
    assert [message for message, _ in conn.handled] == [b"1", b"2", b"3"]
    assert conn.in_sock.closed


def test_the_drain_gives_up_on_requests_running_past_drain_timeout(caplog):
    conn = _SlowConnection("tcp://127.0.0.1:1", "tcp://127.0.0.1:2", drain_timeout=0.1)
    conn.in_sock, conn.out_sock = _QueuedPull([b"stuck"]), FakeSocket()
    conn.seconds = 5
    conn.stop()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="brubeck.connections"):
        conn.process_messages(app=None)
    assert 0.1 <= time.monotonic() - started < 1
    assert conn.started == [b"stuck"] and conn.finished == []
    assert "1 requests still running" in caplog.text


def test_close_sends_the_queued_replies(mongrel2_sockets):
    conn = Mongrel2Connection(mongrel2_sockets.pull_addr, mongrel2_sockets.pub_addr)
    conn.connect()
    conn.publish(b"S 1:1, queued")
    conn.close()  # before the hub flushed the queue
    assert mongrel2_sockets.replies(1) == [b"S 1:1, queued"]
    assert conn.out_sock.closed and conn.in_sock.closed


class _PollHandler(WebMessageHandler):
    def get(self):
        return self.hold("room", "key", timeout=60)


class _DrainingConnection:
    """Stands for Mongrel2Connection in Brubeck.run: holds one request, then returns as if stopped."""

    def __init__(self):
        self.events = []

    def stop(self):
        self.events.append("stop")

    def process_messages(self, app):
        assert app.handle(frame_request()) is None  # held
        self.events.append("drained")

    def reply_bulk(self, sender, conn_ids, payload):
        self.events.append(("reply", list(conn_ids), payload.split(b"\r\n", 1)[0]))

    def close(self):
        self.events.append("closed")


def frame_request():
    from brubeck.mongrel2 import parse_request

    return parse_request(frame({"METHOD": "GET", "PATH": "/poll"}, sender="S", conn_id="9"))


def test_run_stops_on_sigterm_and_sigint_answers_held_requests_then_closes(monkeypatch):
    installed = {}
    monkeypatch.setattr(concurrency, "on_signal", lambda signum, fn: installed.__setitem__(signum, fn))
    conn = _DrainingConnection()
    app = Brubeck(msg_conn=conn, handler_tuples=[(r"^/poll$", _PollHandler)])
    frozen = gc.get_freeze_count()
    try:
        app.run()
        assert gc.get_freeze_count() > frozen  # start-up's objects are out of the collector's way
    finally:
        gc.unfreeze()
    assert installed == {signal.SIGTERM: conn.stop, signal.SIGINT: conn.stop}
    assert conn.events == ["drained", ("reply", ["9"], b"HTTP/1.1 204 No Content"), "closed"]
    assert len(app.waiting_room("room")) == 0


def test_on_signal_calls_back_in_a_greenlet():
    called = gevent.event.Event()
    concurrency.on_signal(signal.SIGUSR1, called.set)
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
        assert called.wait(2)
    finally:
        concurrency._signal_handlers.pop().cancel()


def test_run_in_thread_returns_and_raises_for_its_caller_without_printing(capfd):
    assert concurrency.run_in_thread(lambda a, b: a + b, 2, 3) == 5

    def fail() -> None:
        raise KeyError("expected by the caller")

    with pytest.raises(KeyError, match="expected by the caller"):
        concurrency.run_in_thread(fail)
    assert "KeyError" not in capfd.readouterr().err  # gevent's pool printed every exception it saw
