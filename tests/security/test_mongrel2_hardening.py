"""What an attacker and a careless client found, through a real Mongrel2 and raw sockets.

Large bodies: Mongrel2 streams a body over ``limits.content_length`` (64 KB
here), and every chunked body, to a file in its ``tmp/`` and tells the
handler twice (``x-mongrel2-upload-start``, ``-done``).  Behind a body with
a Content-Length it also writes the bytes of a pipelined request into the
file, and that request is lost: the framework closes the connection (as it
does after a refusal), and the client's next connection is answered at once.

Headers Mongrel2 passes on raw (a TAB, bytes that are not UTF-8) are read,
not dropped; ``Connection: close`` and HTTP/1.0 close the connection after
the reply.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time

import pytest

from tests.support.apps.hardening_app import UPLOAD_LIMIT
from tests.support.servers import both_libraries
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
BIG = 200_000  # over the 64 KB of limits.content_length
GET_READY = b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"


def post(path: str, body: bytes, chunked: bool = False) -> bytes:
    """A raw POST of ``body``, with a Content-Length or in 10 KB chunks."""
    head = b"POST %s HTTP/1.1\r\nHost: localhost\r\n" % path.encode()
    if not chunked:
        return head + b"Content-Length: %d\r\n\r\n" % len(body) + body
    chunks = [body[i : i + 10_000] for i in range(0, len(body), 10_000)]
    return (
        head
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks)
        + b"0\r\n\r\n"
    )


def exchange(
    port: int, data: bytes, wait: float = 5.0, wanted: int | None = None
) -> tuple[list[tuple[int, dict[str, str], bytes]], float | None]:
    """Send ``data`` on a new connection and read until the server closes it, ``wanted`` responses
    have come, or ``wait`` seconds have passed.

    Returns the responses read and how long after the first one the server
    closed the connection (``None``: still open).
    """
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            sock.sendall(data)
        except OSError:  # the server refused the body and closed while it was being sent
            pass
        received, first_at, closed_at = b"", None, None
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline and (wanted is None or len(parse_responses(received)) < wanted):
            sock.settimeout(max(deadline - time.monotonic(), 0.01))
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                break
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                closed_at = time.monotonic()
                break
            received += chunk
            first_at = first_at or time.monotonic()
    return parse_responses(received), None if closed_at is None else closed_at - (first_at or closed_at)


def parse_responses(raw: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """The complete HTTP responses in ``raw``, one after the other (each with a Content-Length)."""
    responses = []
    while b"\r\n\r\n" in raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines)}
        length = int(headers.get("content-length", "0"))
        if len(rest) < length:
            break
        responses.append((int(status_line.split()[1]), headers, rest[:length]))
        raw = rest[length:]
    return responses


def answered_at_once(port: int) -> None:
    """A new connection gets its answer within a second."""
    started = time.monotonic()
    [(status, _, body)] = exchange(port, GET_READY, wait=1.0, wanted=1)[0]
    assert (status, body) == (200, b"ready")
    assert time.monotonic() - started < 1.0


def no_upload_file_left(hardened) -> None:
    wait_until(lambda: not os.listdir(hardened.upload_dir), timeout=5, what="Mongrel2's upload files to be deleted")


# -- 2. large bodies --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/echo", "/form"], ids=["function-route", "csrf-protected-page"])
def test_a_large_body_gets_one_413_and_leaves_no_file(hardened, path):
    responses, closed_after = exchange(hardened.port, post(path, os.urandom(BIG)) + GET_READY)
    assert [status for status, _, _ in responses] == [413]
    assert b"Request body too large" in responses[0][2]
    assert responses[0][1]["connection"] == "close"
    # Mongrel2 wrote the pipelined GET into the upload file: the connection is closed so the client retries it.
    assert closed_after is not None and closed_after < 1.0
    no_upload_file_left(hardened)
    answered_at_once(hardened.port)


def test_a_chunked_body_is_refused_once_and_leaves_no_file(hardened):
    """Mongrel2 streams every chunked body to a file, so a route that takes no uploads refuses it at once."""
    responses, closed_after = exchange(hardened.port, post("/echo", os.urandom(BIG), chunked=True) + GET_READY)
    assert [status for status, _, _ in responses] == [411]
    assert closed_after is not None and closed_after < 1.0
    no_upload_file_left(hardened)
    answered_at_once(hardened.port)


@both_libraries
def test_a_route_that_takes_uploads_gets_the_whole_body_and_the_file_is_deleted(hardened):
    body = os.urandom(BIG)
    responses, closed_after = exchange(hardened.port, post("/upload", body) + GET_READY)
    [(status, headers, text)] = responses
    assert (status, text) == (200, b"stored")
    assert headers["x-body-length"] == str(BIG)
    assert headers["x-body-sha256"] == hashlib.sha256(body).hexdigest()  # the pipelined GET is not part of it
    # Mongrel2 wrote that GET into the file and will not pass it on: the connection is closed so the client retries.
    assert closed_after is not None and closed_after < 1.0
    no_upload_file_left(hardened)
    answered_at_once(hardened.port)


def test_a_route_that_takes_uploads_gets_a_whole_chunked_body_and_the_file_is_deleted(hardened):
    body = os.urandom(BIG)
    responses, closed_after = exchange(hardened.port, post("/upload", body, chunked=True) + GET_READY, wanted=2)
    assert closed_after is None  # Mongrel2 passes the pipelined GET on: it is answered, the connection kept
    [upload] = [(headers, text) for _, headers, text in responses if text == b"stored"]
    assert upload[0]["x-body-length"] == str(BIG)
    assert upload[0]["x-body-sha256"] == hashlib.sha256(body).hexdigest()
    assert sorted(text for _, _, text in responses) == [b"ready", b"stored"]
    no_upload_file_left(hardened)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_body_over_the_routes_own_limit_is_refused(hardened, chunked):
    responses, closed_after = exchange(hardened.port, post("/upload", os.urandom(UPLOAD_LIMIT + 1), chunked=chunked))
    assert [status for status, _, _ in responses] == [413]
    assert closed_after is not None and closed_after < 1.0
    no_upload_file_left(hardened)


# -- 5. headers Mongrel2 passes on raw ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (b"User-Agent: a\tb", {"user-agent": "a\tb", "x": None}),
        (b"Cookie: x=caf\xe9", {"user-agent": None, "x": "café"}),
    ],
    ids=["tab", "latin-1-cookie"],
)
def test_a_header_json_forbids_is_read_and_answered_at_once(hardened, header, expected):
    started = time.monotonic()
    request_head = b"GET /headers HTTP/1.1\r\nHost: localhost\r\n%s\r\n\r\n" % header
    [(status, _, body)] = exchange(hardened.port, request_head, wait=2.0, wanted=1)[0]
    assert time.monotonic() - started < 2.0  # not the 125 s of a dropped message
    assert status == 200
    assert json.loads(body) == expected


# -- 6. Connection: close and HTTP/1.0 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "request_head",
    [b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n"],
    ids=["connection-close", "http-1.0"],
)
def test_the_connection_closes_after_the_reply_when_the_client_asks(hardened, request_head):
    responses, closed_after = exchange(hardened.port, request_head, wait=3.0)
    assert [(status, body) for status, _, body in responses] == [(200, b"ready")]
    assert closed_after is not None and closed_after < 1.0
    assert responses[0][1]["connection"] == "close"


@pytest.mark.parametrize(
    "request_head",
    [GET_READY, b"GET / HTTP/1.0\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n"],
    ids=["http-1.1", "http-1.0-keep-alive"],
)
def test_a_keep_alive_connection_stays_open_for_the_next_request(hardened, request_head):
    with socket.create_connection(("127.0.0.1", hardened.port), timeout=3) as sock:
        for _ in range(2):
            sock.sendall(request_head)
            received = b""
            while not received.endswith(b"ready"):
                chunk = sock.recv(65536)
                assert chunk, "the server closed a keep-alive connection"
                received += chunk
            [(status, headers, _)] = parse_responses(received)
            assert status == 200
            assert "connection" not in headers
