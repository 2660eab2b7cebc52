"""Writing the Netscape bookmark file, as Firefox and Chromium import it, one bookmark at a time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from html import escape

from .netscape import DOCTYPE, Bookmark

HEADER = (
    f"{DOCTYPE}\n"
    "<!-- This is an automatically generated file.\n"
    "     It will be read and overwritten.\n"
    "     DO NOT EDIT! -->\n"
    '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'
    "<TITLE>Bookmarks</TITLE>\n"
    "<H1>Bookmarks</H1>\n"
    "<DL><p>\n"
)
FOOTER = "</DL><p>\n"
PIECE_BYTES = 64 * 1024
"""About how much of the file :func:`file_pieces` gives at a time."""


def _text(value: str) -> str:
    """``value`` escaped for an attribute or the text of an element (quotes too), on one line."""
    return escape(" ".join(value.split()), quote=True)


def bookmark_entry(bookmark: Bookmark) -> str:
    """One ``<DT><A …>title</A>`` line (and its ``<DD>`` line); times in whole seconds."""
    attributes = [f'HREF="{_text(bookmark.url)}"']
    if bookmark.created_at is not None:
        attributes.append(f'ADD_DATE="{bookmark.created_at // 1000}"')
    if bookmark.updated_at is not None:
        attributes.append(f'LAST_MODIFIED="{bookmark.updated_at // 1000}"')
    attributes.append(f'PRIVATE="{int(bookmark.private)}"')
    if bookmark.unread is not None:
        attributes.append(f'TOREAD="{int(bookmark.unread)}"')
    if bookmark.tags:
        attributes.append(f'TAGS="{_text(",".join(bookmark.tags))}"')
    entry = f"    <DT><A {' '.join(attributes)}>{_text(bookmark.title)}</A>\n"
    if bookmark.description:
        entry += f"    <DD>{escape(bookmark.description.strip(), quote=True)}\n"
    return entry


def write_bookmarks(bookmarks: Iterable[Bookmark]) -> Iterator[str]:
    """The file, a piece at a time: its header, a line per bookmark, its end."""
    yield HEADER
    for bookmark in bookmarks:
        yield bookmark_entry(bookmark)
    yield FOOTER


def file_pieces(bookmarks: Iterable[Bookmark]) -> Iterator[bytes]:
    """The file in UTF-8, in pieces of about :data:`PIECE_BYTES` (to send each as it is made)."""
    pending: list[bytes] = []
    size = 0
    for text in write_bookmarks(bookmarks):
        pending.append(text.encode("utf-8"))
        size += len(pending[-1])
        if size >= PIECE_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    yield b"".join(pending)
