"""HTTP building blocks: headers that refuse injection, responses, errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from http import HTTPStatus

_PHRASES = {status.value: status.phrase for status in HTTPStatus}
_NO_LENGTH = frozenset([*range(200), 204, 304])  # statuses whose responses carry no Content-Length


def reason_phrase(status: int) -> str:
    """The standard reason phrase for ``status`` ("Unknown" if there is none)."""
    return _PHRASES.get(status, "Unknown")


def check_header_text(text: str, what: str) -> str:
    """``text`` as a header part: refused (ValueError) with a line break or outside Latin-1."""
    text = str(text)
    if "\r" in text or "\n" in text or "\0" in text:
        raise ValueError(f"{what} contains a line break: {text!r}")
    if not text.isascii():
        try:
            text.encode("latin-1")  # what to_http() writes: refuse here, inside the handler
        except UnicodeEncodeError:
            raise ValueError(f"{what} is not Latin-1: {text!r}") from None
    return text


class Headers:
    """Case-insensitive response headers; a name may carry several values.

    ``headers[name] = value`` replaces, :meth:`add` appends.  Values holding
    CR or LF are refused, so a header can never be split in two.
    """

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        if initial:
            for name, value in initial.items():
                self[name] = value

    @classmethod
    def checked(cls, items: list[tuple[str, str]]) -> Headers:
        """Headers holding ``items``, whose names and values were checked already."""
        headers = cls.__new__(cls)
        headers._items = items
        return headers

    def __setitem__(self, name: str, value: object) -> None:
        del self[name]
        self.add(name, value)

    def add(self, name: str, value: object) -> None:
        """Append a header even if one of that name exists (Set-Cookie)."""
        self._items.append((check_header_text(name, "header name"), check_header_text(str(value), "header value")))

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def get(self, name: str, default: str | None = None) -> str | None:
        lowered = name.lower()
        for key, value in self._items:
            if key.lower() == lowered:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        lowered = name.lower()
        return [v for k, v in self._items if k.lower() == lowered]

    def __delitem__(self, name: str) -> None:
        lowered = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != lowered]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def setdefault(self, name: str, value: object) -> str:
        current = self.get(name)
        if current is None:
            self.add(name, value)  # no header of that name: nothing to replace
            current = self._items[-1][1]
        return current

    def copy(self) -> Headers:
        """An independent copy (its values were checked when they were set)."""
        return Headers.checked(list(self._items))

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._items])

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


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


class HTTPError(Exception):
    """Raise in a handler to answer with an error page or JSON error.

    ``fields`` maps form or API field names to what is wrong with them.
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or reason_phrase(status)
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.message}")


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
