"""Mongrel2: its wire format, and the connection that serves an app from it.

A request frame is ``SENDER CONN_ID PATH HLEN:HEADERS,BLEN:BODY,``, its
headers JSON with Mongrel2's own upper-case keys (``METHOD``, ``PATH``,
``QUERY``, ``VERSION``, ``URL_SCHEME``…) beside the lower-case HTTP headers;
a reply is ``SENDER LEN:ID1 ID2 ...,`` followed by a space and the raw HTTP
response.  :class:`Mongrel2Connection` PULLs requests and PUBlishes replies.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import orjson
import zmq

from . import concurrency
from .request import Request
from .responses import Response
from .types import Application

log = logging.getLogger("brubeck.connections")

MAX_IDS_PER_REPLY = 128
ONLY_MONGREL2_KEYS = ("URI", "PATTERN", "FRAGMENT")  # Mongrel2's keys a Request does not keep


class FrameError(ValueError):
    """A message from Mongrel2 that does not follow the protocol."""


def split_frame(message: bytes) -> tuple[str, str, str, dict[str, object], bytes]:
    """``(sender, conn_id, path, headers, body)`` of one request frame; :class:`FrameError` on garbage."""
    try:
        sender, conn_id, path, rest = message.split(b" ", 3)
    except ValueError:
        raise FrameError("fewer than four fields") from None
    # Two netstrings, HEADERS and BODY, and nothing after them (parsed inline: the hot path).
    length, _, rest = rest.partition(b":")
    if not length.isdigit() or len(length) > 10:
        raise FrameError("bad netstring length")
    size = int(length)
    raw_headers = rest[:size]
    length, _, body = rest[size + 1 :].partition(b":")
    if rest[size : size + 1] != b"," or not length.isdigit() or len(length) > 10:
        raise FrameError("the headers' netstring is truncated or the body's length is bad")
    size = int(length)
    if len(body) != size + 1 or body[size] != 44:  # 44: the comma
        raise FrameError("the body's netstring is truncated, lacks its comma or is followed by bytes")
    body = body[:size]
    try:
        decoded = orjson.loads(raw_headers)
    except orjson.JSONDecodeError:
        raise FrameError("headers are not JSON") from None
    if decoded.__class__ is not dict:
        raise FrameError("headers are not an object")
    try:
        return sender.decode("ascii"), conn_id.decode("ascii"), path.decode("utf-8"), decoded, body
    except UnicodeDecodeError:
        raise FrameError("sender, connection id or path is not text") from None


def _header_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def parse_request(message: bytes) -> Request:
    """The request in one message from Mongrel2 (raises :class:`FrameError` on garbage)."""
    sender, conn_id, frame_path, raw, body = split_frame(message)
    headers: dict[str, Any] = raw.copy()
    for value in raw.values():
        if value.__class__ is not str:  # rare: a repeated header arrives as a list
            headers = {k: _header_value(v) for k, v in raw.items()}
            break
    pop = headers.pop
    method, path, query = pop("METHOD", "GET"), pop("PATH", frame_path), pop("QUERY", "")
    version, scheme, remote = pop("VERSION", "HTTP/1.1"), pop("URL_SCHEME", "http"), pop("REMOTE_ADDR", "")
    for key in ONLY_MONGREL2_KEYS:
        pop(key, None)
    for key in headers:
        if key.isupper():  # rare: a key of Mongrel2's that is not known here
            headers = {k: v for k, v in headers.items() if not k.isupper()}
            break
    return Request.from_parts(
        method,
        unquote(path) if "%" in path else path,
        query,
        headers,
        body,
        sender,
        conn_id,
        version,
        scheme,
        remote or headers.get("x-forwarded-for", "").split(",")[0].strip(),
    )


def is_disconnect(request: Request) -> bool:
    """True for Mongrel2's notice that the client closed its connection (a ``JSON`` message)."""
    if request.method != "JSON":
        return False
    try:
        return bool(json.loads(request.body).get("type") == "disconnect")
    except (ValueError, AttributeError):
        return False


def reply_frame(sender: str, conn_ids: str, payload: bytes) -> bytes:
    """One reply frame; ``conn_ids`` is one id, or up to 128 joined by spaces."""
    ids = conn_ids.encode("ascii")
    return b"%s %d:%s, %s" % (sender.encode("ascii"), len(ids), ids, payload)


def reply_frames(sender: str, conn_ids: Iterable[str | int], payload: bytes) -> list[bytes]:
    """Build reply frames for any number of connection ids, 128 per frame."""
    ids = [str(i) for i in conn_ids]
    return [
        reply_frame(sender, " ".join(ids[start : start + MAX_IDS_PER_REPLY]), payload)
        for start in range(0, len(ids), MAX_IDS_PER_REPLY)
    ]


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
        context: zmq.Context[Any] = zmq.Context.instance()
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

    def process_messages(self, app: Application) -> None:
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

    def handle_message(self, app: Application, message: bytes) -> None:
        """Parse one frame, let the app answer it and send the reply."""
        try:
            request = parse_request(message)
        except FrameError as error:
            log.warning("Dropped a malformed message from Mongrel2 (%s): %r", error, message[:200])
            return
        if is_disconnect(request):
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
