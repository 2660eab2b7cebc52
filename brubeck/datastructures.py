"""Small containers the framework passes around: response headers, uploaded files."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass


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

    _wire: bytes | None = None  # what wire() made, until the headers change

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        if initial:
            for name, value in initial.items():
                self[name] = value

    @classmethod
    def checked(cls, items: list[tuple[str, str]], wire: bytes | None = None) -> Headers:
        """Headers holding ``items``, whose names and values were checked already (and ``wire``, their
        :meth:`wire`, when it is known)."""
        headers = cls.__new__(cls)
        headers._items = items
        headers._wire = wire
        return headers

    def wire(self) -> bytes:
        """The header lines as sent, each ended by CRLF, without Content-Length (a response computes that);
        made once until the headers change: most responses carry the same few default headers."""
        wire = self._wire
        if wire is None:
            lines = [f"{k}: {v}\r\n" for k, v in self._items if k.lower() != "content-length"]
            wire = self._wire = "".join(lines).encode("latin-1")
        return wire

    def __setitem__(self, name: str, value: object) -> None:
        del self[name]
        self.add(name, value)

    def add(self, name: str, value: object) -> None:
        """Append a header even if one of that name exists (Set-Cookie)."""
        self._wire = None
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
        self._wire = None
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
        return Headers.checked(self._items.copy(), self._wire)

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __iter__(self) -> Iterator[str]:
        return iter([k for k, _ in self._items])

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class UploadedFile:
    """One file from a multipart form: ``upload.body``, or ``upload['body']`` as in Brubeck 0.4."""

    filename: str
    content_type: str
    body: bytes

    def __getitem__(self, key: str) -> str | bytes:
        if key not in ("filename", "content_type", "body"):
            raise KeyError(key)
        value: str | bytes = getattr(self, key)
        return value
