"""Reading the Netscape bookmark file, the format every browser and bookmark site imports and exports.

``<!DOCTYPE NETSCAPE-Bookmark-file-1>``, then nested ``<DL>`` lists whose
``<DT><H3>`` items name folders and whose ``<DT><A HREF=… ADD_DATE=…
LAST_MODIFIED=… TAGS=… PRIVATE=… TOREAD=…>title</A>`` items are bookmarks,
each optionally followed by a ``<DD>`` description.  :class:`BookmarkReader`
is fed the file a piece at a time (the standard library's incremental HTML
parser reads it, so a large file is never held whole) and gives the bookmarks
each piece completes.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

DOCTYPE = "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
SNIFF_BYTES = 1024
"""How much of the beginning of a file :func:`looks_like_bookmarks` reads."""
BROWSER_FOLDERS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")
"""Attributes of the folders a browser makes itself (its toolbar, its "Other bookmarks"): not tags."""
STARTS = r"^\s*<!DOCTYPE NETSCAPE-Bookmark-file-1>"
"""How a bookmark file begins (the letters in any case; an API's schema says it as this pattern)."""
_STARTS = re.compile(STARTS, re.IGNORECASE)


@dataclass
class Bookmark:
    """One bookmark as the file has it; times in milliseconds (None when absent or unreadable)."""

    url: str
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    created_at: int | None = None
    updated_at: int | None = None
    private: bool = False
    unread: bool | None = None  # Pinboard's TOREAD: None when the file does not say


def epoch_ms(raw: str | None) -> int | None:
    """A file's time (seconds, milliseconds or microseconds since 1970, told apart by size) in milliseconds."""
    if raw is None or not raw.strip().isdigit() or not raw.strip().isascii():
        return None
    value = int(raw.strip())
    if value == 0:
        return None
    if value < 10**11:  # seconds: until the year 5138
        return value * 1000
    if value < 10**14:  # milliseconds
        return value
    return value // 1000  # microseconds (Firefox's own PRTime)


def looks_like_bookmarks(head: bytes) -> bool:
    """Whether a file beginning with ``head`` (its first :data:`SNIFF_BYTES`) is a bookmark file: it begins with
    the format's DOCTYPE, as every browser and bookmark site writes it."""
    return bool(_STARTS.match(head.decode("utf-8-sig", errors="replace")))


class BookmarkReader(HTMLParser):
    """Reads a bookmark file fed in pieces: ``feed(text)`` returns the bookmarks completed so far.

    A ``<DD>`` belongs to the bookmark before it, so a bookmark is given out once the next item (or the end of
    its list, or :meth:`close`) shows that its description is over.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._folders: list[str | None] = []  # the open lists' folder names (None: a list of no named folder)
        self._heading: str | None = None  # the last folder heading, waiting for its list
        self._text: list[str] | None = None  # the text being collected (a title, a heading, a description)
        self._into = ""  # what that text is: "a", "h3" or "dd"
        self._pending: Bookmark | None = None
        self._ready: list[Bookmark] = []

    def feed(self, data: str) -> list[Bookmark]:  # type: ignore[override]
        """Read the next piece of the file; the bookmarks it completed."""
        super().feed(data)
        ready, self._ready = self._ready, []
        return ready

    def finish(self) -> list[Bookmark]:
        """Read what is left; the last bookmarks."""
        super().close()
        self._end_text()
        self._release()
        ready, self._ready = self._ready, []
        return ready

    def _release(self) -> None:
        if self._pending is not None:
            self._ready.append(self._pending)
            self._pending = None

    def _end_text(self) -> None:
        if self._text is None:
            return
        text = " ".join("".join(self._text).split())
        if self._into == "a" and self._pending is not None:
            self._pending.title = text
        elif self._into == "dd" and self._pending is not None:
            self._pending.description = "".join(self._text).strip()
        elif self._into == "h3":
            self._heading = text
        self._text = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("dt", "dl", "h3", "a", "hr", "h1"):
            self._end_text()
        if tag == "dd":
            self._end_text()
            self._text, self._into = [], "dd"
        elif tag == "dt" or tag == "hr":
            self._release()
        elif tag == "dl":
            self._release()
            self._folders.append(self._heading)
            self._heading = None
        elif tag == "h3":
            self._release()
            values = dict(attrs)
            self._heading = None if any(name in values for name in BROWSER_FOLDERS) else ""
            self._text, self._into = ([] if self._heading is not None else None), "h3"
        elif tag == "a":
            self._release()
            self._pending = _bookmark(dict(attrs), [f for f in self._folders if f])
            self._text, self._into = [], "a"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("a", "h3"):
            self._end_text()
        elif tag == "dl":
            self._end_text()
            self._release()
            if self._folders:
                self._folders.pop()

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)


def _bookmark(attrs: dict[str, str | None], folders: list[str]) -> Bookmark:
    tags = [tag for tag in (attrs.get("tags") or "").split(",") if tag.strip()]
    toread = attrs.get("toread")
    return Bookmark(
        url=(attrs.get("href") or "").strip(),
        tags=tags,
        folders=folders,
        created_at=epoch_ms(attrs.get("add_date")),
        updated_at=epoch_ms(attrs.get("last_modified")),
        private=(attrs.get("private") or "").strip() == "1",
        unread=None if toread is None else toread.strip() == "1",
    )


FEED_CHARS = 4096
"""How much text the reader parses between two bookmarks given out, at most (a few bookmarks' worth)."""


def read_bookmarks(pieces: Iterator[bytes]) -> Iterator[Bookmark]:
    """Every bookmark of a file given as pieces of bytes (UTF-8; a byte that is not is read as U+FFFD), each
    piece parsed :data:`FEED_CHARS` at a time."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    reader = BookmarkReader()
    for piece in pieces:
        text = decoder.decode(piece)
        for start in range(0, len(text), FEED_CHARS):
            yield from reader.feed(text[start : start + FEED_CHARS])
    yield from reader.feed(decoder.decode(b"", final=True))
    yield from reader.finish()
