"""What Readify asks of its records' repositories (links, profiles), on either engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..models import Profile, ReadifyLink, Tombstone


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
    words: tuple[str, ...] = ()  # every word must start a word of the title, URL, notes or a tag
    deleted_after: int | None = None  # with in_trash: only links put there after this time (ms)


class ReadifyLinks(Protocol):
    def add(self, link: ReadifyLink) -> bool:
        """Store a new link; False, storing nothing, when its owner has saved its URL already."""

    def get(self, owner: str, link_id: str) -> ReadifyLink | None:
        """The owner's link with this id (in the trash or not), or None."""

    def find_url(self, owner: str, url: str) -> ReadifyLink | None:
        """The owner's link to this (normalised) URL, or None."""

    def saved_among(self, owner: str, urls: list[str]) -> set[str]:
        """Which of ``urls`` (normalised) the owner has saved, out of the trash."""

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        """Set fields (url, title, description, tags, liked, archived, private, deleted_at, updated_at) of the
        owner's link; the updated link, None if the owner has none with that id; UrlTaken if the new URL is
        another of the owner's links."""

    def find_urls(self, owner: str, urls: list[str]) -> list[ReadifyLink]:
        """The owner's links to any of these (normalised) URLs."""

    def import_links(self, new: list[ReadifyLink], changes: list[tuple[ReadifyLink, dict[str, Any]]]) -> list[bool]:
        """Set the ``changes`` of each link (as :meth:`update`) and store the ``new`` links, all in one step;
        for each new link whether it was stored (False: its owner has its URL already)."""

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


class Profiles(Protocol):
    def get(self, owner: str) -> Profile | None:
        """The account's profile, or None if it never saved one."""

    def put(self, profile: Profile) -> None:
        """Store the profile, replacing the account's previous one."""
