"""Connections that bring requests to a Brubeck app: Mongrel2 and WSGI."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import zmq

from . import concurrency
from .mongrel2 import FrameError, reply_frame, reply_frames
from .request import Request
from .responses import HTTPError, Response

if TYPE_CHECKING:
    from .request_handling import Brubeck

log = logging.getLogger("brubeck.connections")


class Mongrel2Connection:
    """Mongrel2's ZeroMQ pair: PULL requests from ``pull_addr`` (Mongrel2's
    ``send_spec``), PUB replies to ``pub_addr`` (its ``recv_spec``).

    Each request is handled in its own greenlet (finished greenlets are
    reused: see :class:`~brubeck.concurrency.ReusingSpawner`).

    The sockets are plain pyzmq sockets, not the coroutine library's green
    ones, which cost several times more per message: a PUB socket never
    blocks (it drops when a peer's queue is full), and :meth:`process_messages`
    waits on the PULL socket's file descriptor through the coroutine library.

    Messages are taken in batches: everything queued (up to
    :attr:`BATCH`) is handed to greenlets, which then run before the next
    batch.  Replies made while they run are queued and published together
    once they are done, so ZeroMQ's I/O thread (and Mongrel2) wake once per
    batch rather than once per reply; a reply made more than
    :attr:`MAX_REPLY_DELAY` seconds after the oldest queued one sends the
    queue at once, so slow handlers in a batch do not hold back the replies
    of quick ones for long.
    """

    #: The most messages handed out before the waiting greenlets get to run.
    BATCH = 64
    #: The longest a queued reply waits for the rest of its batch, in seconds.
    MAX_REPLY_DELAY = 0.002

    def __init__(self, pull_addr: str, pub_addr: str) -> None:
        self.pull_addr = pull_addr
        self.pub_addr = pub_addr
        self.in_sock: Any = None
        self.out_sock: Any = None
        self._outbox: list[bytes] = []
        self._oldest_queued = 0.0  # when the first frame of the outbox was queued (time.monotonic)

    def connect(self) -> None:
        """Open both sockets (done by :meth:`process_messages`)."""
        context = zmq.Context.instance()
        self.in_sock = context.socket(zmq.PULL)
        self.in_sock.connect(self.pull_addr)
        self.out_sock = context.socket(zmq.PUB)
        self.out_sock.setsockopt(zmq.LINGER, 1000)
        self.out_sock.connect(self.pub_addr)

    def _wait_for_messages(self) -> None:
        # ZeroMQ's descriptor signals changes, not "readable": wait on it only
        # when EVENTS says nothing is queued; the timeout is a safety net.
        sock = self.in_sock
        if not sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
            concurrency.wait_readable(sock.getsockopt(zmq.FD), 1.0)

    def process_messages(self, app: Brubeck) -> None:
        """Receive forever, one greenlet per message, a batch at a time."""
        if self.in_sock is None:
            self.connect()
        log.info("Serving Mongrel2 requests from %s, replying to %s", self.pull_addr, self.pub_addr)
        spawn = concurrency.ReusingSpawner().spawn
        recv, handle, batch = self.in_sock.recv, self.handle_message, self.BATCH
        while True:
            taken = 0
            try:
                while taken < batch:
                    spawn(handle, app, recv(zmq.NOBLOCK))
                    taken += 1
            except zmq.Again:
                if not taken:
                    self._wait_for_messages()
                    continue
            concurrency.sleep(0)  # the batch's greenlets run now

    def handle_message(self, app: Brubeck, message: bytes) -> None:
        """Parse one frame, let the app answer it and send the reply."""
        try:
            request = Request.parse_mongrel2(message)
        except FrameError as error:
            log.warning("Dropped a malformed message from Mongrel2 (%s): %r", error, message[:200])
            return
        if request.is_disconnect():
            app.on_disconnect(request)
            return
        response = app.handle(request)
        if response is not None:
            self.reply(request, response)

    def reply(self, request: Request, response: Response) -> None:
        """Send ``response`` to the client of ``request``."""
        payload = response.to_http(head=request.method == "HEAD")
        self.publish(reply_frame(request.sender, request.conn_id, payload))

    def reply_bulk(self, sender: str, conn_ids: Iterable[str], payload: bytes) -> None:
        """Send one raw HTTP payload to many connections (128 per frame)."""
        for frame in reply_frames(sender, conn_ids, payload):
            self.publish(frame)

    def close_connections(self, sender: str, conn_ids: Iterable[str]) -> None:
        """Ask Mongrel2 to close connections (an empty reply)."""
        self.reply_bulk(sender, conn_ids, b"")

    def publish(self, frame: bytes) -> None:
        """Queue a reply frame; the queue is sent once the ready greenlets have run."""
        now = time.monotonic()
        if not self._outbox:
            self._oldest_queued = now
            concurrency.call_soon(self.flush)
        self._outbox.append(frame)
        if now - self._oldest_queued > self.MAX_REPLY_DELAY:
            self.flush()

    def flush(self) -> None:
        """Send the queued reply frames now, in order."""
        outbox, self._outbox = self._outbox, []
        send = self.out_sock.send
        for frame in outbox:
            send(frame)


class WSGIConnection:
    """Serve the app over plain HTTP with the coroutine library's WSGI server."""

    def __init__(self, port: int = 6767, host: str = "127.0.0.1") -> None:
        self.port = port
        self.host = host

    def process_messages(self, app: Brubeck) -> None:
        log.info("Serving WSGI on http://%s:%d/", self.host, self.port)
        concurrency.serve_wsgi(app, self.host, self.port)


def wsgi_respond(app: Brubeck, environ: dict[str, Any], start_response: Callable) -> list[bytes]:
    """Answer one WSGI request with ``app``."""
    try:
        request = Request.from_wsgi(environ)
    except (ValueError, OSError):
        response = Response("Bad request", 400, headers={"Content-Type": "text/plain; charset=utf-8"})
    else:
        response = app.handle(request) or Response(b"", 204)
        if request.method == "HEAD":
            start_response(response.status_line, response.header_lines())
            return [b""]
    start_response(response.status_line, response.header_lines())
    return [response.body]


__all__ = ["Mongrel2Connection", "WSGIConnection", "HTTPError"]
