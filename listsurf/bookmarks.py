"""Listsurf's links in and out of bookmark files: a link keeps a bookmark's URL, title and dates (Listsurf has
no tags, descriptions or private links); a URL the owner has already is merged (the older date kept, an empty
title filled in); a bookmark that cannot be a link is skipped, with the reason."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from shared.bookmarks.batches import merge_saved, reason, save_batch
from shared.bookmarks.netscape import Bookmark
from shared.limits import LINKS_PER_ACCOUNT
from shared.store import Store

from .links import list_links
from .models import Link
from .store import links as stored_links

EXPORT_PAGE = 500


def to_link(owner: str, bookmark: Bookmark, now: int) -> Link | str:
    """The link a bookmark makes, or why it cannot be saved."""
    created = bookmark.created_at or now
    updated = max(bookmark.updated_at or created, created)
    try:
        link = Link(
            id="pending", owner=owner, url=bookmark.url, title=bookmark.title, created_at=created, updated_at=updated
        )
    except ValidationError as error:
        return reason(error)
    return link.model_copy(update={"id": Link.id_for(owner, link.url)})


def save_bookmarks(store: Store, owner: str, bookmarks: list[Bookmark], *, limit: int = LINKS_PER_ACCOUNT) -> list[str]:
    """Save a batch of bookmarks in one write; for each "created", "merged" or why it was skipped."""
    return save_batch(stored_links(store), owner, bookmarks, to_link, merge_saved, limit, "Listsurf")


def exported(store: Store, owner: str) -> Iterator[Bookmark]:
    """Every link of the owner, last changed first, read a page at a time."""
    cursor: str | None = None
    while True:
        page = list_links(store, owner, limit=EXPORT_PAGE, cursor=cursor)
        for link in page.items:
            yield Bookmark(url=link.url, title=link.title, created_at=link.created_at, updated_at=link.updated_at)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
