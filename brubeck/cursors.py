"""Cursors: where a list's next page starts, as a URL-safe string, and the 400 that answers a bad one.

A :class:`CursorFormat` names the parts of a position in the list's order, say ``(time, id)``, each a
:class:`Part`: a whole number (:func:`number`), a string of a known form (:func:`token`) or any string
(:data:`TEXT`).  A cursor is the parts written out and joined by ``-``::

    PAGES = CursorFormat(number(), token("[0-9a-f]{24}"))
    PAGES.encode((1700000000000, "65a1...")) == "1700000000000-65a1..."
    PAGES.decode("garbage")  # BadCursor

Every string that matches :attr:`CursorFormat.pattern` decodes to a position, so an API's description
can say exactly which cursors it takes.  Clients should treat cursors as opaque.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .exceptions import HTTPError

__all__ = ["TEXT", "BadCursor", "CursorFormat", "Part", "bad_cursor", "number", "token"]

SEPARATOR = "-"


class BadCursor(ValueError):
    """A cursor that is not of the list's format: not one this server made."""


@dataclass(frozen=True)
class Part:
    """One part of a position: the regular expression of its text in a cursor (the same in Python and
    ECMAScript, as JSON Schema reads it), how a value is written and how its text is read."""

    pattern: str
    write: Callable[[Any], str] = str
    read: Callable[[str], Any] = str


def number(digits: int = 15) -> Part:
    """A whole number from 0, of at most ``digits`` ASCII digits (15: milliseconds past the year 30,000)."""
    return Part(f"[0-9]{{1,{digits}}}", str, int)


def token(pattern: str) -> Part:
    """A string matching ``pattern`` (an id of a known form), written as it is."""
    return Part(pattern)


def _write_text(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode("utf-8")).decode("ascii").rstrip("=")


def _read_text(text: str) -> str:
    # Any text of the pattern decodes; bytes that are not UTF-8 still name a place in the order.
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8", "replace")


TEXT = Part("(?:[A-Za-z0-9_-]{4})*(?:[A-Za-z0-9_-]{2,4})", _write_text, _read_text)
"""Any string but the empty one (an id of any form), written in URL-safe base64 without padding."""


class CursorFormat:
    """The cursors of one kind of list: positions of ``parts``, in order, joined by ``-``."""

    def __init__(self, *parts: Part) -> None:
        self.parts = parts
        self._regex = re.compile(SEPARATOR.join(f"({part.pattern})" for part in parts))
        self._groups = []  # the group of each part, past the groups inside the parts before it
        group = 1
        for part in parts:
            self._groups.append(group)
            group += re.compile(part.pattern).groups + 1

    @property
    def pattern(self) -> str:
        """The regular expression of every cursor of this format, anchored (for a JSON schema)."""
        return "^" + SEPARATOR.join(f"(?:{part.pattern})" for part in self.parts) + "$"

    def encode(self, position: Sequence[Any]) -> str:
        """The cursor of ``position``; ValueError when a part cannot be written in this format."""
        cursor = SEPARATOR.join(part.write(value) for part, value in zip(self.parts, position, strict=True))
        if not self._regex.fullmatch(cursor):
            raise ValueError(f"{position!r} is not a position of this format")
        return cursor

    def decode(self, cursor: str) -> tuple[Any, ...]:
        """The position ``cursor`` stands for; :class:`BadCursor` when it is not of this format."""
        found = self._regex.fullmatch(cursor)
        if found is None:
            raise BadCursor(cursor)
        return tuple(part.read(found.group(group)) for part, group in zip(self.parts, self._groups, strict=True))


def bad_cursor(name: str = "cursor", message: str = "") -> HTTPError:
    """The 400 answering a cursor this server did not make, given as the argument ``name``: ``message``
    (by default, that ``name`` must be the next cursor of an earlier page), also as ``name``'s field error."""
    text = message or f"{name} must be the next cursor of an earlier page."
    return HTTPError(400, text, {name: text})
