"""Readify's links: save, edit, like, archive, trash (30 days) and restore, list by view, tag and words,
sync changes since a time, and the owner's tags.

Every function takes the store and the owner's id; another owner's link id behaves as no link at all.
Lists come a page at a time (:class:`shared.paging.Paged`, cursors from :mod:`shared.paging`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from brubeck.timekeeping import curtime
from shared.limits import LINKS_PER_ACCOUNT, MAX_SEARCH_WORDS, ListFull
from shared.models import normalize_url
from shared.paging import Paged, decode_cursor, paged
from shared.store import Store, UrlTaken

from .models import ReadifyLink, Tombstone
from .store import ReadifyQuery, readify_links
from .tags import check_tag, parse_tags

TRASH_DAYS = 30
TRASH_MS = TRASH_DAYS * 24 * 3600 * 1000
VIEWS: dict[str, dict[str, Any]] = {
    "all": {},  # everything out of the trash
    "unread": {"archived": False},  # the dashboard
    "liked": {"liked": True},
    "archived": {"archived": True},
    "trash": {"in_trash": True},
}
"""Each list a page shows, as the conditions of its query."""
ACTIONS: dict[str, tuple[str, bool]] = {
    "like": ("liked", True),
    "unlike": ("liked", False),
    "archive": ("archived", True),
    "unarchive": ("archived", False),
}
"""The actions that set a flag; "delete" and "undelete" move a link into and out of the trash."""
ALL_ACTIONS = (*ACTIONS, "delete", "undelete")
CHANGEABLE = ("url", "title", "description", "tags", "private", "liked", "archived")
"""The fields of a link that :func:`change_link` sets."""


class AlreadySaved(Exception):
    """The owner has saved this URL already, as ``link``."""

    def __init__(self, link: ReadifyLink | None) -> None:
        super().__init__("that URL is saved already")
        self.link = link


def _position(link: ReadifyLink) -> tuple[int, str]:
    return link.created_at, link.id


def _expired(link: ReadifyLink, now: int) -> bool:
    """True when the link has been in the trash 30 days: it is gone, whether purged yet or not."""
    return link.deleted_at is not None and link.deleted_at <= now - TRASH_MS


def save_link(
    store: Store,
    owner: str,
    url: str,
    title: str = "",
    tags: str | Iterable[str] = "",
    private: bool | None = False,
    *,
    description: str = "",
    default_private: bool = False,
    limit: int = LINKS_PER_ACCOUNT,
) -> tuple[ReadifyLink, bool]:
    """Save a link (``description``: the reader's notes on it); ``(link, created)``.

    A URL the owner saved already updates that link instead: its title and notes (each when one is given),
    its tags (the new ones added), its private flag (unless ``private`` is None), and it comes back out of
    the archive and the trash.  A new link with ``private`` None is private if ``default_private``.
    Raises pydantic's ``ValidationError`` for a bad field, ``ListFull`` when the owner has ``limit`` links.
    """
    now = curtime()
    flag = default_private if private is None else private
    fields = {"url": url, "title": title, "description": description, "tags": tags, "private": flag}
    fields.update(created_at=now, updated_at=now)
    draft = ReadifyLink.model_validate({"id": ReadifyLink.new_id(), "owner": owner, **fields})
    for _ in range(3):  # a concurrent save of the same URL makes one of the two steps below fail: try again
        existing = readify_links(store).find_url(owner, draft.url)
        if existing is not None and _expired(existing, now):  # deleted for good by now: saved anew
            purge_trash(store, owner)
            continue
        if existing is not None:
            merged = ReadifyLink(**{**existing.model_dump(), "tags": [*existing.tags, *draft.tags]})  # checks ≤ 20
            kept = existing.private if private is None else private
            changes = {"tags": merged.tags, "private": kept, "archived": False, "deleted_at": None}
            changes.update({name: getattr(draft, name) for name in ("title", "description") if getattr(draft, name)})
            updated = readify_links(store).update(owner, existing.id, {**changes, "updated_at": now})
            if updated is not None:
                return updated, False
        else:
            if readify_links(store).count(owner) >= limit:
                purge_trash(store, owner)  # links 30 days in the trash are gone: they take no room
                if readify_links(store).count(owner) >= limit:
                    raise ListFull(limit)
            if readify_links(store).add(draft):
                return draft, True
    raise AlreadySaved(readify_links(store).find_url(owner, draft.url))


def get_link(store: Store, owner: str, link_id: str) -> ReadifyLink | None:
    """The owner's link (in the trash or not), or None (also for one 30 days in the trash)."""
    link = readify_links(store).get(owner, link_id)
    return None if link is None or _expired(link, curtime()) else link


def edit_link(
    store: Store,
    owner: str,
    link_id: str,
    url: str,
    title: str,
    tags: str | Iterable[str],
    private: bool,
    description: str,
) -> ReadifyLink | None:
    """Change a link's URL, title, tags, private flag and notes; the link, or None if the owner has none with
    that id.

    Raises pydantic's ``ValidationError`` for a bad field and :class:`AlreadySaved` when the new URL is
    another of the owner's links; either way nothing changes.
    """
    fields = {"url": url, "title": title, "tags": tags, "private": private, "description": description}
    return change_link(store, owner, link_id, fields, in_trash=True)


def change_link(
    store: Store, owner: str, link_id: str, changes: Mapping[str, Any], *, in_trash: bool = False
) -> ReadifyLink | None:
    """Change some of :data:`CHANGEABLE` of the owner's link in one write; the link, or None if the owner
    has none with that id (out of the trash, unless ``in_trash``).

    Raises pydantic's ``ValidationError`` for a bad field, :class:`AlreadySaved` when the new URL is
    another of the owner's links, ValueError for a field not in :data:`CHANGEABLE`; each changes nothing.
    """
    unknown = sorted(set(changes) - set(CHANGEABLE))
    if unknown:
        raise ValueError(f"these fields cannot be changed: {', '.join(unknown)}")
    current = get_link(store, owner, link_id)
    if current is None or (current.in_trash and not in_trash):
        return None
    edited = ReadifyLink(**{**current.model_dump(), **changes})
    values = {name: getattr(edited, name) for name in changes}
    try:
        return readify_links(store).update(owner, link_id, {**values, "updated_at": curtime()})
    except UrlTaken:
        raise AlreadySaved(readify_links(store).find_url(owner, edited.url)) from None


def page_info_fetched(
    store: Store, owner: str, link_id: str, url: str, title: str, description: str, *, replace: bool
) -> ReadifyLink | None:
    """Give the owner's link the title and description its page has (from the page fetcher), each where the
    link has none (with ``replace``, the title in place of its own; never the reader's notes); the link, or
    None when nothing changed: no such link, its URL changed meanwhile, or nothing to give.

    Raises pydantic's ``ValidationError`` when the title or description is not one a link may have.
    """
    link = get_link(store, owner, link_id)
    if link is None or link.url != url:
        return None
    own = {"title": "" if replace else link.title, "description": link.description}  # the reader's notes stay
    changes = {
        name: value for name, value in (("title", title), ("description", description)) if value and not own[name]
    }
    return change_link(store, owner, link_id, changes, in_trash=True) if changes else None


def apply_action(store: Store, owner: str, link_id: str, action: str) -> ReadifyLink | None:
    """Do one of :data:`ALL_ACTIONS` to the owner's link; the link, or None if there is none to do it to.

    like, unlike, archive, unarchive: links out of the trash; delete: puts the link in the trash (and
    deletes for good what has been there more than 30 days); undelete: brings it back while it is there.
    ValueError for another action.
    """
    now = curtime()
    link = readify_links(store).get(owner, link_id)
    if action not in ALL_ACTIONS:
        raise ValueError(f"no such action: {action}")
    if link is None or (link.in_trash and action != "undelete"):
        return None
    if action == "delete":
        purge_trash(store, owner)
        return readify_links(store).update(owner, link_id, {"deleted_at": now, "updated_at": now})
    if action == "undelete":
        if link.deleted_at is None or link.deleted_at <= now - TRASH_MS:
            return None
        return readify_links(store).update(owner, link_id, {"deleted_at": None, "updated_at": now})
    field, value = ACTIONS[action]
    return readify_links(store).update(owner, link_id, {field: value, "updated_at": now})


def delete_for_good(store: Store, owner: str, link_id: str) -> bool:
    """Delete the owner's link at once, leaving a tombstone for sync; False if there is none."""
    return readify_links(store).remove(owner, link_id, curtime())


def purge_trash(store: Store, owner: str) -> int:
    """Delete for good the owner's links that have been in the trash more than 30 days; how many."""
    now = curtime()
    return readify_links(store).purge(owner, now - TRASH_MS + 1, now)  # what _expired calls gone


def filter_tags(values: Iterable[str]) -> tuple[str, ...]:
    """The tags of a filter (``?tag=a&tag=b``) in their stored form; ValueError saying what is wrong."""
    return tuple(parse_tags(list(values)))


def list_links(
    store: Store,
    owner: str,
    *,
    limit: int,
    view: str = "all",
    cursor: str | None = None,
    tags: Iterable[str] = (),
    search: str = "",
    liked: bool | None = None,
    archived: bool | None = None,
) -> Paged[ReadifyLink]:
    """A page of the owner's links in ``view`` (one of :data:`VIEWS`), newest saved first.

    ``tags``: only links carrying every one (stored form: see :func:`filter_tags`); ``search``: only
    links with a word starting with each of its words in the title, the URL, the notes or a tag; ``liked`` and
    ``archived`` narrow further.  The trash holds the last 30 days.  ``BadCursor`` for a bad cursor.
    """
    conditions = dict(VIEWS[view])
    conditions.update({k: v for k, v in (("liked", liked), ("archived", archived)) if v is not None})
    if conditions.get("in_trash"):
        conditions["deleted_after"] = curtime() - TRASH_MS
    query = ReadifyQuery(
        owner,
        limit + 1,
        before=decode_cursor(cursor) if cursor else None,
        tags=tuple(tags),
        words=tuple(search.split()[:MAX_SEARCH_WORDS]),
        **conditions,
    )
    return paged(readify_links(store).page(query), limit, _position)


def public_links(
    store: Store, owner: str, *, limit: int, cursor: str | None = None, tags: Iterable[str] = ()
) -> Paged[ReadifyLink]:
    """A page of what the owner's profile shows to anyone: links neither private nor in the trash."""
    before = decode_cursor(cursor) if cursor else None
    query = ReadifyQuery(owner, limit + 1, before=before, private=False, tags=tuple(tags))
    return paged(readify_links(store).page(query), limit, _position)


def changes_since(
    store: Store, owner: str, since: int, *, limit: int, cursor: str | None = None
) -> Paged[ReadifyLink | Tombstone]:
    """What changed after ``since`` (ms), last change first: links, and a :class:`Tombstone` for each
    link deleted (in the trash or for good), so that a client can keep a copy in sync."""
    before = decode_cursor(cursor) if cursor else None
    links = readify_links(store).changes(owner, since, limit + 1, before)
    gone = readify_links(store).tombstones(owner, since, limit + 1, before)
    items: list[ReadifyLink | Tombstone] = [
        Tombstone(id=link.id, owner=owner, updated_at=link.updated_at) if link.in_trash else link for link in links
    ]
    items = sorted([*items, *gone], key=lambda item: (item.updated_at, item.id), reverse=True)
    return paged(items, limit, lambda item: (item.updated_at, item.id))


def saved_among(store: Store, owner: str, urls: list[str]) -> set[str]:
    """Which of ``urls`` (as stored: normalised) the owner has saved, out of the trash."""
    return readify_links(store).saved_among(owner, urls)


def find_saved(store: Store, owner: str, url: str) -> ReadifyLink | None:
    """The owner's link to ``url`` (normalised first), in the trash or not, or None; ValueError for a bad URL."""
    link = readify_links(store).find_url(owner, normalize_url(url))
    return None if link is None or _expired(link, curtime()) else link


def tag_counts(store: Store, owner: str) -> list[tuple[str, int]]:
    """The owner's tags (of links out of the trash) with how many links carry each, by name."""
    return readify_links(store).tag_counts(owner)


def rename_tag(store: Store, owner: str, old: str, new: str) -> int:
    """Rename tag ``old`` to ``new`` on every link of the owner; onto a tag in use, the two merge.
    How many links changed; ValueError saying what is wrong with ``new``."""
    return readify_links(store).retag(owner, old.strip().lower(), check_tag(new), curtime())


def remove_tag(store: Store, owner: str, tag: str) -> int:
    """Take the tag off every link of the owner; how many links changed."""
    return readify_links(store).retag(owner, tag.strip().lower(), None, curtime())
