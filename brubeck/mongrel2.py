"""Mongrel2's wire format: request frames in, reply frames out.

A request frame is ``SENDER CONN_ID PATH HLEN:HEADERS,BLEN:BODY,`` and a
reply is ``SENDER LEN:ID1 ID2 ...,`` followed by a space and the raw HTTP
response.  Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import orjson

MAX_IDS_PER_REPLY = 128


class FrameError(ValueError):
    """A message from Mongrel2 that does not follow the protocol."""


class Frame(NamedTuple):
    """One parsed request frame."""

    sender: str
    conn_id: str
    path: str
    headers: dict[str, object]  # as Mongrel2 sent them: a repeated header's value is a list
    body: bytes


def parse_netstring(data: bytes) -> tuple[bytes, bytes]:
    """Split ``LEN:PAYLOAD,REST`` into ``(PAYLOAD, REST)``."""
    length, _, rest = data.partition(b":")
    if not length.isdigit() or len(length) > 10:
        raise FrameError("bad netstring length")
    size = int(length)
    if rest[size : size + 1] != b",":
        raise FrameError("netstring is truncated or lacks its comma")
    return rest[:size], rest[size + 1 :]


def netstring(payload: bytes) -> bytes:
    """Encode ``payload`` as a netstring."""
    return b"%d:%s," % (len(payload), payload)


def parse_frame(message: bytes) -> Frame:
    """Parse one request frame; raise :class:`FrameError` on garbage."""
    return Frame(*split_frame(message))


def split_frame(message: bytes) -> tuple[str, str, str, dict[str, object], bytes]:
    """:func:`parse_frame` as a plain tuple (the request path's faster spelling)."""
    try:
        sender, conn_id, path, rest = message.split(b" ", 3)
    except ValueError:
        raise FrameError("fewer than four fields") from None
    # Two netstrings, HEADERS and BODY, and nothing after them (parse_netstring twice, inlined).
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
