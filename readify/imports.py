"""Readify's bookmark files: ``/import``, ``/import/<id>`` and ``/export`` (:mod:`shared.bookmarks.pages`),
keeping titles, descriptions, tags, dates, the private flag and what was read (:mod:`.bookmarks`)."""

from __future__ import annotations

from shared.bookmarks.pages import BookmarkSite

from .bookmarks import exported, save_bookmarks

BOOKMARKS = BookmarkSite(
    "readify",
    save_bookmarks,
    exported,
    "Each bookmark keeps its title, description, tags (its folders become tags too), dates and private flag; "
    "what the file marks as read (Pinboard's “to read” off) goes to the archive.",
)
SITE = BOOKMARKS.name
