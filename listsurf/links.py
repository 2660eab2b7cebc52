"""Listsurf's links: save (or update), list newest first with a cursor, search, delete.

Every function takes the store and the owner's id; another owner's link id behaves as no link at all.
"""

from __future__ import annotations

from brubeck.timekeeping import curtime
from shared.limits import LINKS_PER_ACCOUNT, MAX_SEARCH_WORDS, ListFull
from shared.paging import Paged, decode_cursor, paged
from shared.store import Store

from .models import Link
from .store import LinkQuery, links


class AlreadySaved(Exception):
    """The owner has another link to that URL."""


def save_link(store: Store, owner: str, url: str, title: str, *, limit: int = LINKS_PER_ACCOUNT) -> tuple[Link, bool]:
    """Save a link, or update the owner's link to the same URL (its time, and its title if one is given);
    ``(link, created)``.  ``limit`` is the most links the owner may keep (then :class:`ListFull`).

    Raises pydantic's ``ValidationError`` for a bad URL or title.
    """
    now = curtime()
    draft = Link(id="pending", owner=owner, url=url, title=title, created_at=now, updated_at=now)
    link = draft.model_copy(update={"id": Link.id_for(owner, draft.url)})
    saved = links(store)
    if saved.count(owner) >= limit and saved.get(owner, link.id) is None:
        raise ListFull(limit)
    return saved.upsert(link)


def list_links(
    store: Store, owner: str, *, limit: int, cursor: str | None = None, search: str = "", since: int | None = None
) -> Paged[Link]:
    """The owner's links, newest first, ``limit`` a page (BadCursor on a bad cursor).

    ``search`` keeps the links whose title or URL has a word starting with each of its words.
    """
    before = decode_cursor(cursor) if cursor else None
    words = tuple(search.split()[:MAX_SEARCH_WORDS])
    found = links(store).page(LinkQuery(owner, limit + 1, before, words, since))
    return paged(found, limit, lambda link: (link.updated_at, link.id))


def get_link(store: Store, owner: str, link_id: str) -> Link | None:
    """The owner's link with this id, or None."""
    return links(store).get(owner, link_id)


def edit_link(store: Store, owner: str, link_id: str, url: str, title: str) -> Link | None:
    """Give the owner's link a new URL and title (an empty title shows the URL); the edited link, or None if
    there is no such link.  Raises pydantic's ``ValidationError`` for a bad field, :class:`AlreadySaved` when
    the new URL is another of the owner's links; either way nothing changes."""
    current = links(store).get(owner, link_id)
    if current is None:
        return None
    draft = Link(**{**current.model_dump(), "url": url, "title": title, "updated_at": curtime()})
    edited = draft.model_copy(update={"id": Link.id_for(owner, draft.url)})
    if not links(store).replace(link_id, edited):
        if links(store).get(owner, link_id) is None:
            return None
        raise AlreadySaved()
    return edited


def delete_link(store: Store, owner: str, link_id: str) -> Link | None:
    """Delete the owner's link; what it was (to save it again), or None if there is none with that id."""
    link = links(store).get(owner, link_id)
    return link if link is not None and links(store).delete(owner, link_id) else None
