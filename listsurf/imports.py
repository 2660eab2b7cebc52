"""Listsurf's bookmark files: ``/import``, ``/import/<id>`` and ``/export`` (:mod:`shared.bookmarks.pages`),
keeping URLs, titles and dates (:mod:`.bookmarks`)."""

from __future__ import annotations

from shared.bookmarks.pages import BookmarkSite

from .bookmarks import exported, save_bookmarks

BOOKMARKS = BookmarkSite(
    "listsurf",
    save_bookmarks,
    exported,
    "Each bookmark keeps its address, title and dates (Listsurf has no tags, folders or descriptions).",
)
SITE = BOOKMARKS.name
