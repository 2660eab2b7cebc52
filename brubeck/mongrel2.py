"""Mongrel2: its wire format, and the connection that serves an app from it.

A request frame is ``SENDER CONN_ID PATH HLEN:HEADERS,BLEN:BODY,``, its
headers JSON with Mongrel2's own upper-case keys (``METHOD``, ``PATH``,
``QUERY``, ``VERSION``, ``URL_SCHEME``…) beside the lower-case HTTP headers;
a reply is ``SENDER LEN:ID1 ID2 ...,`` followed by a space and the raw HTTP
response, and an empty response closes those connections.
:class:`Mongrel2Connection` PULLs requests and PUBlishes replies; it closes
the connection after a reply when the client asked (``Connection: close``,
or HTTP/1.0 without ``keep-alive``), which Mongrel2 does not do itself (a
held request's later answer leaves the connection open).

Mongrel2 writes header values as it got them: a TAB or a byte that is not
UTF-8 stays raw inside a JSON string.  Such headers are read anyway (bytes
that are not UTF-8 as Latin-1); a frame that still cannot be read is
answered 400.

Large bodies: a body over Mongrel2's ``limits.content_length``, and every
chunked body, is streamed by Mongrel2 into a file made from
``upload.temp_store``, and the handler gets two messages without a body:
``x-mongrel2-upload-start`` (the file's name) when it begins and, once the
body is stored, the same headers plus ``x-mongrel2-upload-done``.
:class:`Mongrel2Connection` answers the start only to refuse (413; 411 for
a chunked body where the route takes none), closing the connection: Mongrel2
then stops and deletes the file.  Otherwise it answers the done message once,
with the file's content as the request body, and deletes the file in every
case.  Mongrel2 also writes a request pipelined behind a body with a
Content-Length into the file and never passes it on: the connection is then
closed after the reply, so that the client sends that request again.  Both
decisions are made from the message alone, so the two messages may reach
different handler processes.  A route takes such bodies when its handler
class (or function) has a ``max_upload_size`` above 0.  A client may send
these headers itself: only a body-less message naming a file made from
``upload.temp_store`` counts.

Restarts: Mongrel2 keeps a request while no handler is connected and pushes
it to the first PULL socket that connects; replies published before
Mongrel2's subscription reaches the handler's socket would be dropped (the
slow joiner: this lost the first replies of every new process).  So the
reply socket is an XPUB, which reads the subscription, and requests are
taken only once it has come.  :meth:`Mongrel2Connection.stop` drains a
process (``Brubeck.run`` calls it on SIGTERM and SIGINT).
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import unquote

import orjson
import zmq

from . import concurrency
from .request import Request
from .responses import Response, StreamedResponse, plain_text
from .types import Application

log = logging.getLogger("brubeck.connections")

MAX_IDS_PER_REPLY = 128
UPLOAD_START = "x-mongrel2-upload-start"
UPLOAD_DONE = "x-mongrel2-upload-done"
MAX_UPLOAD_SIZE = 64 * 1024 * 1024
DRAIN_TIMEOUT = 8.0
"""How long a stopping connection waits for running requests (seconds): supervisord kills after 10."""
LATIN_1_FALLBACK = "brubeck-latin-1"
"""A decoding error handler: each byte that is not UTF-8 is read as Latin-1 (``b"caf\\xe9"`` is "café")."""


def _latin_1_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(LATIN_1_FALLBACK, _latin_1_fallback)


BAD_REQUEST = plain_text(400, "Bad request: the request could not be read.")
LENGTH_REQUIRED = plain_text(411, "A chunked request body is not accepted here: send it with a Content-Length.")
TOO_LARGE = plain_text(413, "Request body too large.")
UPLOAD_UNREADABLE = plain_text(500, "The request body could not be read.")


class FrameError(ValueError):
    """A message from Mongrel2 that does not follow the protocol.

    ``sender`` and ``conn_id`` are set when they could be read, so that the
    client can still be answered.
    """

    def __init__(self, message: str, sender: str = "", conn_id: str = "") -> None:
        super().__init__(message)
        self.sender = sender
        self.conn_id = conn_id


def split_frame(message: bytes) -> tuple[str, str, str, dict[str, Any], bytes]:
    """``(sender, conn_id, path, headers, body)`` of one request frame; :class:`FrameError` on garbage."""
    try:
        raw_sender, raw_conn_id, raw_path, rest = message.split(b" ", 3)
        sender, conn_id = raw_sender.decode("ascii"), raw_conn_id.decode("ascii")
    except ValueError:  # UnicodeDecodeError is one
        raise FrameError("fewer than four fields, or a sender or connection id that is not text") from None
    # Two netstrings, HEADERS and BODY, and nothing after them (parsed inline: the hot path).
    length, _, rest = rest.partition(b":")
    if not length.isdigit() or len(length) > 10:
        raise FrameError("bad netstring length", sender, conn_id)
    size = int(length)
    raw_headers = rest[:size]
    length, _, body = rest[size + 1 :].partition(b":")
    if rest[size : size + 1] != b"," or not length.isdigit() or len(length) > 10:
        raise FrameError("the headers' netstring is truncated or the body's length is bad", sender, conn_id)
    size = int(length)
    if len(body) != size + 1 or body[size] != 44:  # 44: the comma
        raise FrameError("the body's netstring is truncated, lacks its comma or is followed by bytes", sender, conn_id)
    body = body[:size]
    try:
        decoded = orjson.loads(raw_headers)
    except orjson.JSONDecodeError:  # rare: a raw control character, or a byte that is not UTF-8
        decoded = _lenient_headers(raw_headers, sender, conn_id)
    if decoded.__class__ is not dict:
        raise FrameError("headers are not an object", sender, conn_id)
    return sender, conn_id, raw_path.decode("utf-8", LATIN_1_FALLBACK), decoded, body


def _lenient_headers(raw: bytes, sender: str, conn_id: str) -> Any:
    """Headers as Mongrel2 writes them: raw control characters in strings, bytes that are not UTF-8."""
    try:
        return json.loads(raw.decode("utf-8", LATIN_1_FALLBACK), strict=False)
    except ValueError:
        raise FrameError("headers are not JSON", sender, conn_id) from None


def _header_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def parse_request(message: bytes) -> Request:
    """The request in one message from Mongrel2 (raises :class:`FrameError` on garbage)."""
    sender, conn_id, frame_path, headers, body = split_frame(message)  # headers: a dict made for this request
    for value in headers.values():
        if value.__class__ is not str:  # rare: a repeated header arrives as a list
            headers = {k: _header_value(v) for k, v in headers.items()}
            break
    pop = headers.pop
    method, path, query = pop("METHOD", "GET"), pop("PATH", frame_path), pop("QUERY", "")
    version, scheme, remote = pop("VERSION", "HTTP/1.1"), pop("URL_SCHEME", "http"), pop("REMOTE_ADDR", "")
    pop("URI", None), pop("PATTERN", None), pop("FRAGMENT", None)  # Mongrel2's, not kept
    if any(map(str.isupper, headers)):  # rare: a key of Mongrel2's that is not known here
        headers = {k: v for k, v in headers.items() if not k.isupper()}
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


def closes_after(request: Request) -> bool:
    """True when the client wants its connection closed after the reply (``Connection: close``, HTTP/1.0)."""
    connection = request.headers.get("connection")
    if connection is None:
        return request.version != "HTTP/1.1"
    if connection == "keep-alive":  # what most clients send
        return False
    tokens = {token.strip() for token in connection.lower().split(",")}
    return "close" in tokens or (request.version != "HTTP/1.1" and "keep-alive" not in tokens)


def upload_limit(app: Application, request: Request) -> int:
    """The ``max_upload_size`` of the handler class or function that would answer ``request`` (0: none)."""
    router = getattr(app, "router", None)
    match = router.match(request.path) if router is not None else None
    if match is None:
        return 0
    route = match.route
    target = route.handler if route.handler is not None else route.functions.get(request.method)
    return int(getattr(target, "max_upload_size", 0) or 0)


def upload_refusal(length: str | None, limit: int) -> Response | None:
    """The answer to a body of ``length`` bytes (``None``: chunked) where ``limit`` are taken; ``None``: take it."""
    if length is None:
        return None if limit else LENGTH_REQUIRED
    return None if limit and length.isdigit() and int(length) <= limit else TOO_LARGE


def _read_file(path: str, size: int) -> tuple[bytes, bool]:
    """The first ``size`` bytes of a file, and whether more follow."""
    with open(path, "rb") as file:
        return file.read(size), file.read(1) != b""


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

    Requests are answered one after another in the greenlet that receives
    them, and a request that blocks (waits for a database, Redis, a timer)
    keeps that greenlet: the receiving goes on in another one at once (seen
    through :func:`~brubeck.concurrency.watch_switches`; greenlets are reused:
    see :class:`~brubeck.concurrency.ReusingSpawner`).  So a request that does
    not block costs no greenlet switch, and one that does holds back no other.

    The sockets are plain pyzmq sockets, not the coroutine library's green
    ones, which cost several times more per message: a PUB socket never
    blocks (it drops when a peer's queue is full), and :meth:`process_messages`
    waits on the PULL socket's file descriptor through the coroutine library.
    The reply socket connects first, and the PULL socket only once Mongrel2
    has subscribed to it (see the module's notes on restarts).

    Messages are taken in batches: everything queued, up to :attr:`BATCH`,
    before the greenlets that are ready (blocked requests whose wait ended)
    get to run; none while :attr:`MAX_RUNNING` requests run.  Replies are
    queued and published together once the batch is done, so ZeroMQ's I/O
    thread (and Mongrel2) wake once per batch rather than once per reply; a
    reply made more than
    :attr:`MAX_REPLY_DELAY` seconds after the oldest queued one sends the
    queue at once, so slow handlers in a batch do not hold back the replies
    of quick ones for long.

    :meth:`stop` drains: no new requests, the running ones finish (for at
    most ``drain_timeout`` seconds), then :meth:`process_messages` returns;
    :meth:`close` sends the last replies.

    Bodies Mongrel2 streamed to a file (see the module's notes) are read from
    ``chroot``: Mongrel2's server ``chroot`` as seen from this process, which
    the names it sends are relative to when it runs as root (when it does not,
    they are relative to its working directory: give that).  The default,
    ".", fits Mongrel2 and the handlers started from the same folder with
    ``chroot="./"``, as the suite and the demos do.  ``upload_store`` is
    Mongrel2's ``upload.temp_store`` setting: a name of another shape is a
    client's own header, not Mongrel2's.  No body larger than
    ``max_upload_size`` bytes is read, whatever a route allows.
    """

    #: The most messages answered before the greenlets that are ready get to run.
    BATCH = 64
    #: The most requests running at once, blocked (waiting for a database, Redis, a timer; held ones are not
    #: running).  Past it no more are taken: they wait in ZeroMQ's and Mongrel2's queues, where they cost
    #: nothing yet, rather than here, each in a greenlet waiting for a database or Redis connection until it
    #: times out (a surge of 20,000 chat polls did).
    MAX_RUNNING = 512
    #: How long the receive loop waits for a blocked request to finish when :attr:`MAX_RUNNING` run, in seconds.
    FULL_WAIT = 0.002
    #: The longest a queued reply waits for the rest of its batch, in seconds.
    MAX_REPLY_DELAY = 0.002
    #: How long the receive loop waits before it looks again (and sees :meth:`stop`), in seconds:
    #: short enough that a process told to stop leaves at once, long enough to cost nothing while idle.
    IDLE_WAIT = 0.1
    #: How long :meth:`close` gives the last replies to leave, in milliseconds (ZeroMQ's LINGER).
    LINGER = 1000
    #: Reply frames queued for Mongrel2 before ZeroMQ drops more (its SNDHWM; 0: no bound).  A PUB socket
    #: drops silently when full, and ZeroMQ's default (1,000) is reached by one wake-up of 1,000 chat rooms
    #: while Mongrel2 is busy writing: the frames wait here instead, as the clients' requests wait in Mongrel2.
    REPLY_HWM = 0

    def __init__(
        self,
        pull_addr: str,
        pub_addr: str,
        *,
        chroot: str = ".",
        upload_store: str = "tmp/mongrel2.upload.XXXXXX",
        max_upload_size: int = MAX_UPLOAD_SIZE,
        drain_timeout: float = DRAIN_TIMEOUT,
    ) -> None:
        self.pull_addr = pull_addr
        self.pub_addr = pub_addr
        self.chroot = chroot
        self.upload_store = upload_store
        self.max_upload_size = max_upload_size
        self.drain_timeout = drain_timeout
        self.in_sock: Any = None
        self.out_sock: Any = None
        self._context: Any = None
        self._outbox: list[bytes] = []
        self._oldest_queued = 0.0  # when the first frame of the outbox was queued (time.monotonic)
        self._spawner = concurrency.ReusingSpawner()
        self._stopping = False
        self._blocked = 0  # requests that blocked while answered (each keeps its greenlet until done)
        self._app: Any = None
        self._leader: Any = None  # the greenlet receiving requests
        self._answering = False  # whether the leader is answering one (a switch then means it blocked)
        self._in_fd = -1

    def connect(self) -> None:
        """Open both sockets (done by :meth:`process_messages`): the PULL socket once Mongrel2 subscribed."""
        self._context = zmq.Context()
        self.out_sock = self._context.socket(zmq.XPUB)  # a PUB that reads its subscriptions
        self.out_sock.setsockopt(zmq.LINGER, self.LINGER)
        self.out_sock.setsockopt(zmq.SNDHWM, self.REPLY_HWM)
        self.out_sock.connect(self.pub_addr)
        self._wait_for_subscription()
        self.in_sock = self._context.socket(zmq.PULL)
        self._in_fd = self.in_sock.getsockopt(zmq.FD)
        if not self._stopping:
            self.in_sock.connect(self.pull_addr)

    def _wait_for_subscription(self) -> None:
        """Wait until Mongrel2's subscription reaches the reply socket (or :meth:`stop`)."""
        sock, started, told = self.out_sock, time.monotonic(), False
        while not self._stopping:
            if sock.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                if sock.recv()[:1] == b"\x01":
                    return
                continue
            if not told and time.monotonic() - started > 1:
                log.info("Waiting for Mongrel2 to subscribe to the replies at %s", self.pub_addr)
                told = True
            concurrency.wait_readable(sock.getsockopt(zmq.FD), self.IDLE_WAIT)

    def _wait_for_messages(self) -> None:
        """Wait until a message may have come (or :attr:`IDLE_WAIT`, to see :meth:`stop`).

        Called once a receive found nothing: that receive read ZeroMQ's pending signals, so the
        descriptor, which signals changes rather than "readable", signals the next message."""
        concurrency.wait_readable(self._in_fd, self.IDLE_WAIT)

    def process_messages(self, app: Application) -> None:
        """Receive and answer until :meth:`stop`, a batch at a time; then drain."""
        if self.in_sock is None:
            self.connect()
        log.info("Serving Mongrel2 requests from %s, replying to %s", self.pull_addr, self.pub_addr)
        self._app = app
        stop_watching = concurrency.watch_switches(self._switched)
        try:
            self._lead(app)
            while not self._stopping:  # a request this greenlet answered blocked: others receive now
                concurrency.sleep(self.IDLE_WAIT)
        finally:
            stop_watching()
        self._drain(app)

    def _lead(self, app: Application) -> None:
        """Receive and answer requests in this greenlet until :meth:`stop`, or until one of them blocks."""
        me = self._leader = concurrency.current()
        recv, handle, batch, most = self.in_sock.recv, self.handle_message, self.BATCH, self.MAX_RUNNING
        while not self._stopping:
            if self._blocked >= most:  # overloaded: the next requests wait in Mongrel2, not half-done here
                concurrency.sleep(self.FULL_WAIT)
                continue
            try:
                for _ in range(batch):
                    message = recv(zmq.NOBLOCK)
                    self._answering = True
                    try:
                        handle(app, message)
                    except Exception:
                        log.exception("Unhandled error answering a message from Mongrel2")
                    if self._leader is not me:  # it blocked meanwhile, and another greenlet took over
                        self._blocked -= 1
                        return
                    self._answering = False
            except zmq.Again:
                self._wait_for_messages()
                continue
            concurrency.sleep(0)  # a whole batch: the greenlets that are ready run now

    def _switched(self, origin: Any) -> None:
        """A greenlet gave up control: if it is the leader answering a request, that request blocked, and
        another greenlet takes over receiving (the request finishes where it is)."""
        if origin is self._leader and self._answering:
            self._answering = False
            self._leader = None
            self._blocked += 1
            self._spawner.spawn(self._lead, self._app)

    def _answer_blocked(self, app: Application, message: bytes) -> None:
        """Answer a message in a greenlet of its own (counted as blocked until done)."""
        self._blocked += 1
        try:
            self.handle_message(app, message)
        finally:
            self._blocked -= 1

    def stop(self) -> None:
        """Drain: take no new request, finish the running ones, then let :meth:`process_messages` return.

        It only sets a flag, so a signal handler may call it; the loop sees it within :attr:`IDLE_WAIT` s.
        """
        self._stopping = True

    def _drain(self, app: Application) -> None:
        """Hand out what is queued here, disconnect (Mongrel2 pushes to other processes, or keeps
        the requests until one connects), and wait up to ``drain_timeout`` for the running requests."""
        log.info("Stopping: no new requests; finishing the running ones")
        sock = self.in_sock
        try:
            while True:  # ZeroMQ drops what is queued in a socket that closes
                self._spawner.spawn(self._answer_blocked, app, sock.recv(zmq.NOBLOCK))
        except zmq.Again:
            pass
        sock.close(linger=0)
        deadline = time.monotonic() + self.drain_timeout
        while True:
            concurrency.sleep(0.01)  # lets the greenlets just spawned start
            running = self._blocked
            if not running:
                return
            if time.monotonic() > deadline:
                log.warning("%d requests still running after %s s; leaving them", running, self.drain_timeout)
                return

    def close(self) -> None:
        """Send the queued replies and close the sockets, giving the replies :attr:`LINGER` ms to leave."""
        if self.out_sock is not None:
            self.flush()
            self.out_sock.close()
        if self.in_sock is not None:
            self.in_sock.close(linger=0)
        if self._context is not None:
            self._context.term()  # returns once the replies left, or LINGER passed

    def handle_message(self, app: Application, message: bytes) -> None:
        """Parse one frame, let the app answer it and send the reply."""
        try:
            request = parse_request(message)
        except FrameError as error:
            log.warning("A malformed message from Mongrel2 (%s): %r", error, message[:200])
            if error.conn_id.isdigit():  # a client waits on that connection: tell it at once
                self.reply_and_close(error.sender, error.conn_id, BAD_REQUEST)
            return
        if is_disconnect(request):
            app.on_disconnect(request)
            return
        if UPLOAD_START in request.headers and not request.body:
            self.handle_upload(app, request)
            return
        response = app.handle(request)
        if response is not None:
            self.reply(request, response)

    def reply(self, request: Request, response: Response, close: bool = False) -> None:
        """Send ``response`` to the client of ``request``; close the connection after if it asked or ``close``."""
        head = request.method == "HEAD"
        if isinstance(response, StreamedResponse) and not head and request.version == "HTTP/1.1":
            self.reply_in_chunks(request, response, close or closes_after(request))
        elif close or closes_after(request):
            self.reply_and_close(request.sender, request.conn_id, response, head)
        else:
            self.publish(reply_frame(request.sender, request.conn_id, response.to_http(head=head)))

    def reply_in_chunks(self, request: Request, response: StreamedResponse, close: bool) -> None:
        """Send a streamed response a piece at a time as they are made; a piece that cannot be made ends the
        connection (the client sees the body cut short, never a body that looks whole)."""
        try:
            for chunk in response.chunks():
                self.publish(reply_frame(request.sender, request.conn_id, chunk))
        except Exception:
            log.exception("A streamed response to %s failed halfway; closing the connection", request.path)
            close = True
        if close:
            self.publish(reply_frame(request.sender, request.conn_id, b""))

    def reply_and_close(self, sender: str, conn_id: str, response: Response, head: bool = False) -> None:
        """Send ``response`` with ``Connection: close``, then close the connection (an empty reply)."""
        payload = response.to_http(head=head)
        if "Connection" not in response.headers:
            payload = payload.replace(b"\r\n", b"\r\nConnection: close\r\n", 1)
        self.publish(reply_frame(sender, conn_id, payload))
        self.publish(reply_frame(sender, conn_id, b""))

    def handle_upload(self, app: Application, request: Request) -> None:
        """Mongrel2's start or done message for a body it streams to a file (see the module's notes)."""
        headers = request.headers
        name, store = headers[UPLOAD_START], self.upload_store
        start = headers.get(UPLOAD_DONE) != name
        length = headers.get("content-length")  # None: a chunked body, whose size is known at the end only
        limit = min(upload_limit(app, request), self.max_upload_size)
        suffix = name[-6:]  # what mkstemp put in place of XXXXXX
        if len(name) != len(store) or not name.startswith(store[:-6]) or not (suffix.isalnum() and suffix.isascii()):
            # A client's own header, or an upload_store that is not Mongrel2's: no file to read or delete.
            log.warning("%s %r is not a name made from upload_store %r", UPLOAD_START, name, store)
            if start:
                self.reply(request, TOO_LARGE, True)
            return
        refusal = upload_refusal(length, limit)
        if start:
            if refusal is not None:
                self.reply(request, refusal, True)  # Mongrel2 stops reading and deletes the file
            return
        path = os.path.join(self.chroot, name.lstrip("/"))
        try:
            if refusal is None:  # else answered at the start already
                self._answer_upload(app, request, path, int(length) if length is not None else limit + 1, limit)
        finally:
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass  # Mongrel2 deleted it itself (refused while the body was still coming)
            except OSError as error:
                log.error("Cannot delete the body Mongrel2 stored in %s: %s", path, error)

    def _answer_upload(self, app: Application, request: Request, path: str, size: int, limit: int) -> None:
        try:
            body, more = concurrency.run_in_thread(_read_file, path, size)
        except OSError as error:
            log.error("Cannot read the body Mongrel2 stored in %s (is chroot=%r right?): %s", path, self.chroot, error)
            self.reply(request, UPLOAD_UNREADABLE, True)
            return
        if len(body) > limit:  # a chunked body over the limit
            self.reply(request, TOO_LARGE, True)
            return
        request.body = body
        del request.headers[UPLOAD_START], request.headers[UPLOAD_DONE]
        response = app.handle(request)
        if response is not None:
            # Bytes after the Content-Length are a pipelined request Mongrel2 wrote into the file and will
            # never pass on: close the connection, so that the client sends that request again.
            self.reply(request, response, more)

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
