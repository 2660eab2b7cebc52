"""Cursor paging: a page of records and the opaque cursor of the next, for every list of the suite.

A cursor is the position just after a page's last record: ``(time, id)`` of the order the list is in.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
BROKEN_PAGE_LINK = "That page link is broken. Start again from the first page."
"""What a list page answers (400) to a cursor this server did not make."""


class BadCursor(ValueError):
    """A page cursor that this server did not make."""


def encode_cursor(position: tuple[int, str]) -> str:
    """An opaque cursor for ``(time, id)``."""
    time, record_id = position
    return base64.urlsafe_b64encode(f"{time}:{record_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """``(time, id)`` from a cursor, or :class:`BadCursor`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor) from None
    found = re.fullmatch(r"([0-9]{1,15}):([0-9a-f]{24})", text)  # ASCII digits only
    if not found:
        raise BadCursor(cursor)
    return int(found.group(1)), found.group(2)


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
