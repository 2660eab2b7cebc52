"""Responses: status, headers and body, their serialisation to HTTP, and the security headers every
answer carries unless its handler says otherwise."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any

import orjson

from .datastructures import Headers, check_header_text

_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_NO_LENGTH = frozenset([*range(200), 204, 304])  # statuses whose responses carry no Content-Length


PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The Content-Security-Policy of web pages: nothing from elsewhere, nothing inline, never in a frame."""
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""The Content-Security-Policy of JSON and plain-text answers: they load nothing."""
PLAIN_TEXT = "text/plain; charset=utf-8"
HTML = "text/html; charset=utf-8"
JSON = "application/json"


@functools.lru_cache(maxsize=64)
def default_headers(content_type: str, policy: str | None) -> tuple[tuple[str, str], ...]:
    """The headers an answer of ``content_type`` gets unless its handler set them: ``nosniff``, and with a
    ``policy``, Content-Security-Policy, X-Frame-Options (when it forbids every frame, or all but the site's own)
    and Referrer-Policy."""
    headers = [("Content-Type", check_header_text(content_type, "default_content_type"))]
    headers.append(("X-Content-Type-Options", "nosniff"))
    if policy is not None:
        headers.append(("Content-Security-Policy", check_header_text(policy, "content_security_policy")))
        if "frame-ancestors 'none'" in policy:  # for browsers that predate frame-ancestors
            headers.append(("X-Frame-Options", "DENY"))
        elif "frame-ancestors 'self'" in policy:
            headers.append(("X-Frame-Options", "SAMEORIGIN"))
        headers.append(("Referrer-Policy", "same-origin"))
    return tuple(headers)


@functools.lru_cache(maxsize=64)
def _default_set(content_type: str, policy: str | None) -> Headers:
    """:func:`default_headers` as :class:`Headers` with their wire form made: copied, never handed out."""
    headers = Headers.checked(list(default_headers(content_type, policy)))
    headers.wire()
    return headers


def secured_headers(content_type: str, policy: str | None) -> Headers:
    """A fresh copy of :func:`default_headers`, for a response to add its own to."""
    return _default_set(content_type, policy).copy()


def plain_text(status: int, text: str | None = None, headers: Mapping[str, str] | None = None) -> Response:
    """A plain-text answer (the standard phrase without ``text``) with every security header: what the
    framework sends when there is no handler to render one, or its error page failed."""
    return _secured(text or reason_phrase(status), status, PLAIN_TEXT, headers)


def json_response(payload: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    """``payload`` as a JSON answer with every security header, built without a handler: an answer the
    same for every client (no cookie), such as one released to many held requests."""
    return _secured(json_bytes(payload), status, JSON, headers)


def page_response(
    page: str, status: int = 200, headers: Mapping[str, str] | None = None, policy: str = PAGE_POLICY
) -> Response:
    """An HTML ``page`` with every security header under ``policy``, built without a handler: a page the same
    for every visitor (no cookie, no form token), such as one released to many held requests."""
    return _secured(page, status, HTML, headers, policy)


def json_bytes(value: Any) -> bytes:
    """``value`` as compact JSON in UTF-8, as JSON answers carry it (NaN and the infinities as ``null``:
    JSON has no word for them).  A value orjson refuses (an integer past 64 bits, nesting past 255) is
    written by the standard library, which raises :class:`TypeError` or :class:`ValueError` on what JSON
    cannot carry."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def _secured(
    body: bytes | str,
    status: int,
    content_type: str,
    headers: Mapping[str, str] | None,
    policy: str = API_POLICY,
) -> Response:
    """An answer with the default headers of ``content_type`` under ``policy``, then ``headers``."""
    all_headers = secured_headers(content_type, policy)
    for name, value in (headers or {}).items():
        all_headers[name] = value
    return Response(body, status, headers=all_headers)


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` ("Unknown" if there is none)."""
    return _PHRASES.get(status, "Unknown")


class Response:
    """A complete HTTP response: status, headers and a byte body."""

    def __init__(
        self,
        body: bytes | str = b"",
        status: int = 200,
        reason: str | None = None,
        headers: Headers | Mapping[str, str] | None = None,
    ) -> None:
        self.body = body if body.__class__ is bytes else body.encode("utf-8") if isinstance(body, str) else bytes(body)
        self.status = status = int(status)
        self.reason = check_header_text(reason, "reason") if reason else _PHRASES.get(status, "Unknown")
        self.headers = headers if isinstance(headers, Headers) else Headers(headers)

    def header_lines(self) -> list[tuple[str, str]]:
        """Headers to send, with Content-Length computed from the body."""
        items = [(k, v) for k, v in self.headers.items() if k.lower() != "content-length"]
        if self.status not in _NO_LENGTH:
            items.append(("Content-Length", str(len(self.body))))
        return items

    def to_http(self, version: str = "HTTP/1.1", head: bool = False) -> bytes:
        """Serialise as raw HTTP (``head`` drops the body, keeps its length)."""
        body, status = self.body, self.status
        length = b"" if status in _NO_LENGTH else b"Content-Length: %d\r\n" % len(body)
        start = f"{version} {status} {self.reason}\r\n".encode("latin-1")
        return b"".join((start, self.headers.wire(), length, b"\r\n", b"" if head else body))

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}"


class StreamedResponse(Response):
    """A response whose body is made while it is sent: ``pieces``, bytes, as they come.

    Through Mongrel2 an HTTP/1.1 client gets the head at once, then each piece as a chunk
    (``Transfer-Encoding: chunked``), so a large body never sits whole in memory; elsewhere (WSGI, the
    test client, HTTP/1.0) ``body`` reads every piece first.
    """

    def __init__(
        self,
        pieces: Iterable[bytes],
        status: int = 200,
        reason: str | None = None,
        headers: Headers | Mapping[str, str] | None = None,
    ) -> None:
        self._pieces = iter(pieces)
        self._body: bytes | None = None
        super().__init__(b"", status, reason, headers)

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = b"".join(self._pieces)
        return self._body

    @body.setter
    def body(self, value: bytes) -> None:
        """Only ``Response.__init__`` sets it (to nothing): the pieces are the body."""

    def chunks(self, version: str = "HTTP/1.1") -> Iterable[bytes]:
        """The head (chunked, no length), each piece as a chunk, and the last (empty) chunk."""
        start = f"{version} {self.status} {self.reason}\r\n".encode("latin-1")
        yield start + self.headers.wire() + b"Transfer-Encoding: chunked\r\n\r\n"
        for piece in self._pieces:
            if piece:
                yield b"%x\r\n%s\r\n" % (len(piece), piece)
        yield b"0\r\n\r\n"


def http_response(
    body: bytes | str, code: int = 200, status: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """Build a response, as Brubeck's documented ``http_response`` did.

    Without a ``Content-Type`` in ``headers`` the body is sent as
    ``text/html; charset=utf-8``, with ``X-Content-Type-Options: nosniff``.
    """
    checked = Headers(headers)
    checked.setdefault("Content-Type", "text/html; charset=utf-8")
    checked.setdefault("X-Content-Type-Options", "nosniff")
    return Response(body, code, status, checked)


def render(
    body: bytes | str, status_code: int = 200, status_msg: str | None = None, headers: Mapping[str, str] | None = None
) -> Response:
    """Build a response from a body, as Brubeck's documented ``render`` did."""
    return http_response(body, status_code, status_msg, headers)


def to_bytes(value: Any, encoding: str = "utf-8") -> bytes:
    """``value`` as bytes: bytes as they are, anything else as its text in ``encoding``."""
    return value if isinstance(value, bytes) else str(value).encode(encoding)
