"""What becomes of each bookmark of a batch, the same on every site: a new link, merged into one the owner has
(or into one earlier in the file), skipped (and why), or over the account's link limit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from pydantic import ValidationError

from brubeck import concurrency
from brubeck.timekeeping import curtime
from shared.limits import ListFull
from shared.models import SavedLink, field_errors

from .netscape import Bookmark

L = TypeVar("L", bound=SavedLink)
SLICE = 20
"""Bookmarks read or checked between two turns of the process's other requests (a few milliseconds' work)."""
Merge = Callable[[L, L], dict[str, Any]]
"""``merge(existing, incoming)``: the changes importing ``incoming`` (the same URL) makes to ``existing``."""


def reason(error: ValidationError) -> str:
    """Why a bookmark cannot be a link, for a person: the first bad field's message."""
    name, message = next(iter(field_errors(error).items()))
    return message if name == "url" else f"The {name}: {message[:1].lower()}{message[1:]}"


def merge_saved(existing: SavedLink, incoming: SavedLink) -> dict[str, Any]:
    """The changes every site makes: the older date kept, an empty title filled in."""
    changes: dict[str, Any] = {}
    if incoming.created_at < existing.created_at:
        changes["created_at"] = incoming.created_at
    if not existing.title and incoming.title:
        changes["title"] = incoming.title
    return changes


@dataclass
class Batch(Generic[L]):
    """A batch planned: each bookmark's outcome, the new links, and the changes to links stored already."""

    outcomes: list[str] = field(default_factory=list)
    new: dict[str, L] = field(default_factory=dict)
    changes: dict[str, tuple[L, dict[str, Any]]] = field(default_factory=dict)
    created_at: dict[int, str] = field(default_factory=dict)
    """Which outcomes are "created", with their URL."""

    def settled(self, stored: Sequence[bool]) -> list[str]:
        """The outcomes once the new links were stored (``stored[i]`` for the i-th new one): a new link that
        lost its URL to a save at the same moment was merged into it."""
        lost = {url for url, saved in zip(self.new, stored, strict=True) if not saved}
        outcomes = list(self.outcomes)
        for number, url in self.created_at.items():
            if url in lost:
                outcomes[number] = "merged"
        return outcomes


def plan(links: Sequence[L | str], stored: dict[str, L], room: int, merge: Merge[L], full: str, now: int) -> Batch[L]:
    """Plan a batch: ``links`` (a link, or why there is none, per bookmark), the owner's links to the same URLs
    (``stored``), how many new links the account has room for, the site's ``merge``, and what a bookmark over
    the limit is told."""
    batch: Batch[L] = Batch()
    for link in links:
        if isinstance(link, str):
            batch.outcomes.append(link)
        elif link.url in stored:
            existing = stored[link.url]
            changed = dict(batch.changes.get(link.url, (existing, {}))[1])
            changed.pop("updated_at", None)
            changed.update(merge(existing.model_copy(update=changed), link))
            if changed:
                batch.changes[link.url] = (existing, {**changed, "updated_at": max(existing.updated_at, now)})
            batch.outcomes.append("merged")
        elif link.url in batch.new:
            first = batch.new[link.url]
            batch.new[link.url] = first.model_copy(update=merge(first, link))
            batch.outcomes.append("merged")
        elif len(batch.new) >= room:
            batch.outcomes.append(full)
        else:
            batch.new[link.url] = link
            batch.created_at[len(batch.outcomes)] = link.url
            batch.outcomes.append("created")
    return batch


class BatchStore(Protocol[L]):
    """What a site's links repository offers an import (each site's has these)."""

    def find_urls(self, owner: str, urls: list[str]) -> list[L]: ...

    def count(self, owner: str) -> int: ...

    def import_links(self, new: list[L], changes: list[tuple[L, dict[str, Any]]]) -> list[bool]: ...


def save_batch(
    repository: BatchStore[L],
    owner: str,
    bookmarks: Sequence[Bookmark],
    to_link: Callable[[str, Bookmark, int], L | str],
    merge: Merge[L],
    limit: int,
    site: str,
) -> list[str]:
    """Save a batch of bookmarks in one write of the site's ``repository``, each made a link by ``to_link``
    (or told why not), :data:`SLICE` at a time between the process's other requests; for each "created",
    "merged" or why it was skipped."""
    now = curtime()
    links: list[L | str] = []
    for bookmark in bookmarks:
        links.append(to_link(owner, bookmark, now))
        if len(links) % SLICE == 0:
            concurrency.sleep(0)
    urls = list({link.url for link in links if not isinstance(link, str)})
    stored = {link.url: link for link in repository.find_urls(owner, urls)} if urls else {}
    room = limit - repository.count(owner)
    batch = plan(links, stored, room, merge, ListFull(limit).sentence(site), now)
    return batch.settled(repository.import_links(list(batch.new.values()), list(batch.changes.values())))
