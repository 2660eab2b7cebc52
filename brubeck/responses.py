"""Responses: status, headers and body, and their serialisation to HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

from .datastructures import Headers, check_header_text

_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_NO_LENGTH = frozenset([*range(200), 204, 304])  # statuses whose responses carry no Content-Length


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
        body = self.body
        lines = "".join([f"{k}: {v}\r\n" for k, v in self.headers._items if k.lower() != "content-length"])
        length = "" if self.status in _NO_LENGTH else f"Content-Length: {len(body)}\r\n"
        head_bytes = f"{version} {self.status} {self.reason}\r\n{lines}{length}\r\n".encode("latin-1")
        return head_bytes if head else head_bytes + body

    @property
    def status_line(self) -> str:
        return f"{self.status} {self.reason}"


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
