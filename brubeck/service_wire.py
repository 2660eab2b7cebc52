"""What Brubeck services send each other: one JSON object per ZeroMQ message.

A request (caller → service, over the caller's PUSH socket)::

    {"kind": "request", "sender": "<caller id>", "id": "<request id>", "passphrase": "...",
     "path": "/service/slow", "METHOD": "request", "arguments": {...}, "headers": {...}, "body": {...}}

A reply (service → caller, over the service's PUSH socket to the caller's response address)::

    {"kind": "reply", "sender": "<caller id>", "id": "<request id>", "passphrase": "...",
     "path": "/service/slow", "METHOD": "response", "status": 200, "status_msg": "...",
     "headers": {...}, "payload": {...}}

``sender`` is the calling process's random id and ``id`` a random id per request (both
``uuid4().hex``): a caller matches a reply to the request waiting for it by both, never by
order.  Both sides carry the shared passphrase and compare it in constant time
(:func:`passphrase_matches`); a frame with a wrong one is refused.
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

import orjson

__all__ = [
    "REPLY",
    "REQUEST",
    "WireError",
    "decode",
    "encode",
    "new_id",
    "passphrase_matches",
    "reply_frame",
    "request_frame",
]

REQUEST = "request"
REPLY = "reply"
_TEXT_FIELDS = ("sender", "id", "passphrase", "path", "METHOD")
_OBJECT_FIELDS = {REQUEST: ("arguments", "headers", "body"), REPLY: ("headers", "payload")}


class WireError(ValueError):
    """A message that is not a service frame."""


def new_id() -> str:
    """A random id, for a calling process or one request."""
    return uuid.uuid4().hex


def passphrase_matches(given: object, expected: str) -> bool:
    """Whether a frame's passphrase is ``expected``, compared in constant time."""
    if not isinstance(given, str):
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def request_frame(
    sender: str,
    request_id: str,
    passphrase: str,
    path: str,
    method: str,
    arguments: dict[str, Any],
    headers: dict[str, Any],
    body: dict[str, Any],
) -> bytes:
    return encode(
        {
            "kind": REQUEST,
            "sender": sender,
            "id": request_id,
            "passphrase": passphrase,
            "path": path,
            "METHOD": method,
            "arguments": arguments,
            "headers": headers,
            "body": body,
        }
    )


def reply_frame(
    sender: str,
    request_id: str,
    passphrase: str,
    path: str,
    method: str,
    status: int,
    status_msg: str | None,
    headers: dict[str, Any],
    payload: dict[str, Any],
) -> bytes:
    return encode(
        {
            "kind": REPLY,
            "sender": sender,
            "id": request_id,
            "passphrase": passphrase,
            "path": path,
            "METHOD": method,
            "status": status,
            "status_msg": status_msg,
            "headers": headers,
            "payload": payload,
        }
    )


def encode(frame: dict[str, Any]) -> bytes:
    """A frame as bytes (values that JSON cannot hold are written as text)."""
    return orjson.dumps(frame, default=str)


def decode(message: bytes, kind: str) -> dict[str, Any]:
    """The frame in ``message``, checked to be a ``kind`` frame (:class:`WireError` if not)."""
    try:
        frame = orjson.loads(message)
    except orjson.JSONDecodeError:
        raise WireError("not JSON") from None
    if not isinstance(frame, dict) or frame.get("kind") != kind:
        raise WireError(f"not a {kind} frame")
    for name in _TEXT_FIELDS:
        if not isinstance(frame.get(name), str):
            raise WireError(f"{name} is missing or not text")
    for name in _OBJECT_FIELDS[kind]:
        value = frame.setdefault(name, {})
        if not isinstance(value, dict):
            raise WireError(f"{name} is not an object")
    if kind == REPLY:
        status = frame.get("status")
        if not isinstance(status, int) or isinstance(status, bool):
            raise WireError("status is not a number")
        if frame.get("status_msg") is not None and not isinstance(frame["status_msg"], str):
            raise WireError("status_msg is not text")
    return frame
