"""Saved links: save (or update), list newest first with a cursor, search, delete."""

from __future__ import annotations

from dataclasses import dataclass

from brubeck.timekeeping import curtime
from conf import settings

from .models import Link
from .paging import decode_cursor, encode_cursor
from .store import LinkQuery, Store

MAX_SEARCH_WORDS = 10


class ListFull(Exception):
    """The owner has as many links as an account may keep (``LINKS_PER_ACCOUNT``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an account keeps at most {limit:,} links")
        self.limit = limit

    def sentence(self, what: str = "list") -> str:
        """What an add form says beside the URL: "Your ``what`` is full: …"."""
        return f"Your {what} is full: an account keeps at most {self.limit:,} links. Delete some to save more."


@dataclass
class Page:
    """One page of links and the cursor of the next (None on the last page)."""

    links: list[Link]
    next_cursor: str | None


def save_link(store: Store, owner: str, url: str, title: str) -> tuple[Link, bool]:
    """Save a link, or update the owner's link to the same URL (its time, and its title if one is given);
    ``(link, created)``.

    Raises pydantic's ``ValidationError`` for a bad URL or title.
    """
    now = curtime()
    draft = Link(id="pending", owner=owner, url=url, title=title, created_at=now, updated_at=now)
    link = draft.model_copy(update={"id": Link.id_for(owner, draft.url)})
    limit = settings.LINKS_PER_ACCOUNT
    if store.links.count(owner) >= limit and store.links.get(owner, link.id) is None:
        raise ListFull(limit)
    return store.links.upsert(link)


def list_links(
    store: Store, owner: str, *, limit: int, cursor: str | None = None, search: str = "", since: int | None = None
) -> Page:
    """The owner's links, newest first, ``limit`` a page (BadCursor on a bad cursor).

    ``search`` keeps the links whose title or URL has a word starting with each of its words.
    """
    before = decode_cursor(cursor) if cursor else None
    words = tuple(search.split()[:MAX_SEARCH_WORDS])
    links = store.links.page(LinkQuery(owner, limit + 1, before, words, since))
    last = links[limit - 1] if len(links) > limit else None
    return Page(links[:limit], encode_cursor((last.updated_at, last.id)) if last else None)


def delete_link(store: Store, owner: str, link_id: str) -> bool:
    """Delete the owner's link; False if there is none with that id."""
    return store.links.delete(owner, link_id)
