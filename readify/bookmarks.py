"""Readify's links in and out of bookmark files: saving an import's batch, and every link for an export.

A bookmark becomes a link with its URL, title, description (``<DD>``), tags (its ``TAGS`` and its
folders' names), dates and private flag; Pinboard's ``TOREAD="0"`` files it in the archive.  A URL
the owner has already is merged: the tags added, the older date kept, an empty title or description
filled in.  A bookmark that cannot be a link is skipped, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import ValidationError

from shared.bookmarks.batches import merge_saved, reason, save_batch
from shared.bookmarks.netscape import Bookmark
from shared.limits import LINKS_PER_ACCOUNT
from shared.store import Store

from .links import list_links
from .models import ReadifyLink
from .store import readify_links
from .tags import EMOJI, MAX_TAG_LENGTH, MAX_TAGS

EXPORT_PAGE = 500


def as_tag(name: str) -> str:
    """A folder's name or a file's tag as a tag: lower case, each run of other characters a dash ("" if
    nothing is left)."""
    tag = re.sub(rf"[^\w.\-{EMOJI}]+", "-", name.strip().lower()).strip("-")
    return tag[:MAX_TAG_LENGTH].strip("-")


def _tags(bookmark: Bookmark) -> list[str]:
    tags: list[str] = []
    for name in [*bookmark.tags, *bookmark.folders]:
        tag = as_tag(name)
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS]


def to_link(owner: str, bookmark: Bookmark, now: int) -> ReadifyLink | str:
    """The link a bookmark makes, or why it cannot be saved."""
    created = bookmark.created_at or now
    try:
        return ReadifyLink(
            id=ReadifyLink.new_id(),
            owner=owner,
            url=bookmark.url,
            title=bookmark.title,
            description=bookmark.description,
            tags=_tags(bookmark),
            private=bookmark.private,
            archived=bookmark.unread is False,
            created_at=created,
            updated_at=max(bookmark.updated_at or created, created),
        )
    except ValidationError as error:
        return reason(error)


def _merged(existing: ReadifyLink, incoming: ReadifyLink) -> dict[str, Any]:
    """What changes in ``existing`` when ``incoming`` (the same URL) is imported over it: also the tags added,
    an empty description filled in."""
    changes = merge_saved(existing, incoming)
    tags = list(dict.fromkeys([*existing.tags, *incoming.tags]))[:MAX_TAGS]
    if tags != existing.tags:
        changes["tags"] = tags
    if not existing.description and incoming.description:
        changes["description"] = incoming.description
    return changes


def save_bookmarks(store: Store, owner: str, bookmarks: list[Bookmark], *, limit: int = LINKS_PER_ACCOUNT) -> list[str]:
    """Save a batch of bookmarks in one write; for each "created", "merged" or why it was skipped."""
    return save_batch(readify_links(store), owner, bookmarks, to_link, _merged, limit, "Readify")


def as_bookmark(link: ReadifyLink) -> Bookmark:
    """A link as the export writes it."""
    return Bookmark(
        url=link.url,
        title=link.title,
        description=link.description,
        tags=list(link.tags),
        created_at=link.created_at,
        updated_at=link.updated_at,
        private=link.private,
        unread=not link.archived,
    )


def exported(store: Store, owner: str) -> Iterator[Bookmark]:
    """Every link of the owner out of the trash, newest saved first, read a page at a time."""
    cursor: str | None = None
    while True:
        page = list_links(store, owner, limit=EXPORT_PAGE, cursor=cursor)
        yield from (as_bookmark(link) for link in page.items)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
