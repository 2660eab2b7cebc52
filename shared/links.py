"""Saved links: save (or update), list newest first with a cursor, search, delete."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Any

from brubeck.timekeeping import curtime

from .db_conn import DuplicateKeyError
from .models import Link

NEWEST_FIRST = [("updated_at", -1), ("_id", -1)]


class BadCursor(ValueError):
    """A page cursor that this server did not make."""


def encode_cursor(link: Link) -> str:
    """An opaque cursor pointing just after ``link``."""
    return base64.urlsafe_b64encode(f"{link.updated_at}:{link.id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    """``(updated_at, id)`` from a cursor, or :class:`BadCursor`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadCursor(cursor) from None
    found = re.fullmatch(r"(\d{1,15}):([0-9a-f]{24})", text)
    if not found:
        raise BadCursor(cursor)
    return int(found.group(1)), found.group(2)


@dataclass
class Page:
    """One page of links and the cursor of the next (None on the last page)."""

    links: list[Link]
    next_cursor: str | None


def save_link(db: Any, owner: str, url: str, title: str) -> tuple[Link, bool]:
    """Save a link, or update the owner's link to the same URL; ``(link, created)``.

    Raises pydantic's ``ValidationError`` for a bad URL or title.
    """
    now = curtime()
    draft = Link(id="pending", owner=owner, url=url, title=title, created_at=now, updated_at=now)
    link = draft.model_copy(update={"id": Link.id_for(owner, draft.url)})
    try:
        db.links.insert_one(link.to_document())
        return link, True
    except DuplicateKeyError:
        changes: dict[str, Any] = {"updated_at": now}
        if link.title:
            changes["title"] = link.title
        db.links.update_one({"_id": link.id, "owner": owner}, {"$set": changes})
        stored = db.links.find_one({"_id": link.id, "owner": owner})
        return Link.from_document(stored), False


def _search_terms(words: str) -> list[dict[str, Any]]:
    terms = []
    for word in words.split()[:10]:
        pattern = {"$regex": re.escape(word), "$options": "i"}
        terms.append({"$or": [{"title": pattern}, {"url": pattern}]})
    return terms


def list_links(
    db: Any, owner: str, *, limit: int, cursor: str | None = None, search: str = "", since: int | None = None
) -> Page:
    """The owner's links, newest first, ``limit`` a page (BadCursor on a bad cursor)."""
    conditions: list[dict[str, Any]] = [{"owner": owner}, *_search_terms(search)]
    if since is not None:
        conditions.append({"updated_at": {"$gt": since}})
    if cursor:
        updated_at, link_id = decode_cursor(cursor)
        conditions.append(
            {"$or": [{"updated_at": {"$lt": updated_at}}, {"updated_at": updated_at, "_id": {"$lt": link_id}}]}
        )
    query = conditions[0] if len(conditions) == 1 else {"$and": conditions}
    documents = list(db.links.find(query).sort(NEWEST_FIRST).limit(limit + 1))
    links = [Link.from_document(d) for d in documents[:limit]]
    return Page(links, encode_cursor(links[-1]) if len(documents) > limit else None)


def delete_link(db: Any, owner: str, link_id: str) -> bool:
    """Delete the owner's link; False if there is none with that id."""
    return bool(db.links.delete_one({"_id": link_id, "owner": owner}).deleted_count == 1)
