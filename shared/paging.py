"""Cursor paging: a page of records and the opaque cursor of the next, for every list of the suite.

A cursor is the position just after a page's last record: ``(time, id)`` of the order the list is in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from brubeck.cursors import CursorFormat, number, token

T = TypeVar("T")
BROKEN_PAGE_LINK = "That page link is broken. Start again from the first page."
"""What a list page answers (400) to a cursor this server did not make."""
CURSORS = CursorFormat(number(), token("[0-9a-f]{24}"))
"""The cursors of the suite's lists: ``(time, id)``, the time in milliseconds, the id a record's 24 hex digits."""


def encode_cursor(position: tuple[int, str]) -> str:
    """The cursor for ``(time, id)``."""
    return CURSORS.encode(position)


def decode_cursor(cursor: str) -> tuple[int, str]:
    """``(time, id)`` from a cursor, or :class:`~brubeck.cursors.BadCursor`."""
    time, record_id = CURSORS.decode(cursor)
    return time, record_id


@dataclass
class Paged(Generic[T]):
    """One page of records and the cursor of the next (None on the last page)."""

    items: list[T]
    next_cursor: str | None


def paged(rows: list[T], limit: int, position: Callable[[T], tuple[int, str]]) -> Paged[T]:
    """The page of ``rows`` fetched with ``limit + 1`` (one more says there is a next page)."""
    return Paged(rows[:limit], encode_cursor(position(rows[limit - 1])) if len(rows) > limit else None)


def list_url(path: str, **params: Any) -> str:
    """``path`` with a list's filters in its query (empty ones left out, lists repeated)."""
    pairs = [(k, item) for k, v in params.items() for item in (v if isinstance(v, list | tuple) else [v]) if item]
    return f"{path}?{urlencode(pairs)}" if pairs else path


def older_url(path: str, next_cursor: str | None, **params: Any) -> str | None:
    """The "older" link of a list page: :func:`list_url` with the next page's cursor as ``before``; None on
    the last page."""
    return list_url(path, **params, before=next_cursor) if next_cursor else None
