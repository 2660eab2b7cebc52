"""What the data layer offers, one interface per kind of record.

Two implementations keep to these: :mod:`shared.store.sqlite` (the embedded
default) and :mod:`shared.store.mongo` (MongoDB).  Every method is one
atomic step: it happens whole or not at all.  Each query is bounded by an
index.  Records go in and come out as the models of :mod:`shared.models`.
The record modules (``shared.users``, ``shared.links``…) hold the rules;
handlers call those, never a store directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..models import ApiToken, Link, Profile, ReadifyLink, Tombstone, User


class Unavailable(Exception):
    """The database cannot be reached or used right now (answered with 503)."""


@dataclass(frozen=True)
class LinkQuery:
    """Which of an owner's links to list: newest first, after a position, matching words."""

    owner: str
    limit: int
    before: tuple[int, str] | None = None  # (updated_at, id) of the last link of the page before
    words: tuple[str, ...] = ()  # every word must appear in the title, the URL (or later the tags)
    since: int | None = None  # only links updated after this time (ms)


class UrlTaken(Exception):
    """The owner has saved that URL already, as another link."""


@dataclass(frozen=True)
class ReadifyQuery:
    """Which of an owner's Readify links to list: newest saved first (``created_at``, then id).

    Each condition left at None does not filter.  Out of the trash unless ``in_trash``.
    """

    owner: str
    limit: int
    before: tuple[int, str] | None = None  # (created_at, id) of the last link of the page before
    in_trash: bool = False
    liked: bool | None = None
    archived: bool | None = None
    private: bool | None = None
    tags: tuple[str, ...] = ()  # every tag must be on the link
    words: tuple[str, ...] = ()  # every word must start a word of the title, the URL or a tag
    deleted_after: int | None = None  # with in_trash: only links put there after this time (ms)


class Users(Protocol):
    def create(self, user: User) -> bool:
        """Store a new account; False, storing nothing, when its id is taken."""

    def get(self, user_id: str) -> User | None:
        """The account with this id (the lower-case username), or None."""

    def record_login(self, user_id: str, now: int) -> None:
        """Note the time of a successful sign-in."""

    def bump_session_epoch(self, user_id: str) -> None:
        """Add one to the account's session epoch (ends every session)."""

    def count(self) -> int:
        """How many accounts there are."""


class Tokens(Protocol):
    def add(self, token: ApiToken) -> None:
        """Store a new token."""

    def get(self, token_id: str) -> ApiToken | None:
        """The token whose id (the key's hash) is ``token_id``, or None."""

    def for_owner(self, owner: str) -> list[ApiToken]:
        """The owner's tokens, newest first."""

    def touch(self, token_id: str, now: int) -> None:
        """Set the token's ``last_used_at``."""

    def delete(self, owner: str, token_id: str) -> bool:
        """Delete the owner's token; False if the owner has none with that id."""


class Links(Protocol):
    def upsert(self, link: Link) -> tuple[Link, bool]:
        """Save a new link, or update the stored one with its id: ``updated_at``, and ``title`` when
        not empty; ``(the stored link, created)``."""

    def get(self, owner: str, link_id: str) -> Link | None:
        """The owner's link with this id, or None."""

    def page(self, query: LinkQuery) -> list[Link]:
        """Up to ``query.limit`` links, newest first (by ``updated_at``, then id)."""

    def delete(self, owner: str, link_id: str) -> bool:
        """Delete the owner's link; False if the owner has none with that id."""

    def count(self, owner: str) -> int:
        """How many links the owner has."""


class Profiles(Protocol):
    def get(self, owner: str) -> Profile | None:
        """The account's profile, or None if it never saved one."""

    def put(self, profile: Profile) -> None:
        """Store the profile, replacing the account's previous one."""


class ReadifyLinks(Protocol):
    def add(self, link: ReadifyLink) -> bool:
        """Store a new link; False, storing nothing, when its owner has saved its URL already."""

    def get(self, owner: str, link_id: str) -> ReadifyLink | None:
        """The owner's link with this id (in the trash or not), or None."""

    def find_url(self, owner: str, url: str) -> ReadifyLink | None:
        """The owner's link to this (normalised) URL, or None."""

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        """Set fields (url, title, tags, liked, archived, private, deleted_at, updated_at) of the owner's
        link; the updated link, None if the owner has none with that id; UrlTaken if the new URL is
        another of the owner's links."""

    def page(self, query: ReadifyQuery) -> list[ReadifyLink]:
        """Up to ``query.limit`` links, newest saved first (by ``created_at``, then id)."""

    def changes(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[ReadifyLink]:
        """Up to ``limit`` of the owner's links (the trash's too) updated after ``since``, by
        ``updated_at`` then id, newest first, after ``before`` (``(updated_at, id)``)."""

    def tombstones(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[Tombstone]:
        """The same for the owner's links deleted for good (their tombstones)."""

    def remove(self, owner: str, link_id: str, now: int) -> bool:
        """Delete the owner's link for good, leaving a tombstone at ``now``; False if there is none."""

    def purge(self, owner: str, deleted_before: int, now: int) -> int:
        """Delete for good the owner's links put in the trash before ``deleted_before``; how many."""

    def count(self, owner: str) -> int:
        """How many links the owner has, the trash's included."""

    def tag_counts(self, owner: str) -> list[tuple[str, int]]:
        """Each tag of the owner's links out of the trash with how many carry it, by tag."""

    def retag(self, owner: str, old: str, new: str | None, now: int) -> int:
        """Replace tag ``old`` by ``new`` on every link of the owner (merging it where ``new`` is there
        already), or remove it when ``new`` is None, each changed link updated at ``now``; how many."""


class LoginFailures(Protocol):
    def add(self, key: str, now: int, window_ms: int, by: int = 1) -> int:
        """Add ``by`` to ``key``'s count in its live window (a new window if none is live); the new count.

        Atomic: two processes counting at once count two.
        """

    def live(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        """``(count, expires_at)`` of each key's window still live at ``now``."""

    def clear(self, key: str) -> None:
        """Forget the key's failures."""


class Store(Protocol):
    """The suite's database: its records, and its life cycle."""

    @property
    def users(self) -> Users: ...

    @property
    def tokens(self) -> Tokens: ...

    @property
    def links(self) -> Links: ...

    @property
    def login_failures(self) -> LoginFailures: ...

    @property
    def profiles(self) -> Profiles: ...

    @property
    def readify_links(self) -> ReadifyLinks: ...

    def close(self) -> None:
        """Release connections."""
