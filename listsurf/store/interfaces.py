"""What Listsurf asks of its links' repository, on either engine."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..models import Link


@dataclass(frozen=True)
class LinkQuery:
    """Which of an owner's links to list: newest first, after a position, matching words."""

    owner: str
    limit: int
    before: tuple[int, str] | None = None  # (updated_at, id) of the last link of the page before
    words: tuple[str, ...] = ()  # every word must appear in the title or the URL
    since: int | None = None  # only links updated after this time (ms)


class Links(Protocol):
    def upsert(self, link: Link) -> tuple[Link, bool]:
        """Save a new link, or update the stored one with its id: ``updated_at``, and ``title`` when
        not empty; ``(the stored link, created)``."""

    def find_urls(self, owner: str, urls: list[str]) -> list[Link]:
        """The owner's links to any of these (normalised) URLs."""

    def import_links(self, new: list[Link], changes: list[tuple[Link, dict[str, Any]]]) -> list[bool]:
        """Set the ``changes`` (title, created_at, updated_at) of each link and store the ``new`` links, all in one
        step; for each new link whether it was stored (False: its owner has its URL already)."""

    def get(self, owner: str, link_id: str) -> Link | None:
        """The owner's link with this id, or None."""

    def page(self, query: LinkQuery) -> list[Link]:
        """Up to ``query.limit`` links, newest first (by ``updated_at``, then id)."""

    def replace(self, old_id: str, link: Link) -> bool:
        """Put ``link`` in place of the owner's link ``old_id`` in one step (its id changes with its URL);
        False, changing nothing, if there is no such link or another of the owner's has the new id."""

    def delete(self, owner: str, link_id: str) -> bool:
        """Delete the owner's link; False if the owner has none with that id."""

    def count(self, owner: str) -> int:
        """How many links the owner has."""
