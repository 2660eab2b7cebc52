"""Readify's benchmark data: :mod:`bench.listsurf_data`'s accounts, counts, titles, URLs and times, each
link with 0 to 5 tags drawn from 39 (Zipf-like), some liked, private, archived or in the trash (seeded);
saved through ``stored_links(store).add``; the ``readify.links`` calls behind each page."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable

from bench import listsurf_data
from bench.listsurf_data import PAGE, Account
from readify import links as readify_links
from readify.models import ReadifyLink
from readify.store import readify_links as stored_links
from shared.store.sqlite import SQLiteStore

SEED = 20261202
DEEP_AFTER = 9_000  # the deep cursor starts after this many of the big user's links
TAGS = """
programming python reading news science design web history security linux databases music politics
economics climate health books travel food photography math physics career startups privacy tutorial
javascript culture art space rust networking video philosophy education hardware gaming film sport
""".split()
TAG_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(TAGS))]
TAGS_PER_LINK = (0, 1, 2, 3, 4, 5)
TAGS_PER_LINK_WEIGHTS = (10, 25, 30, 20, 10, 5)
SHARES = {"liked": 0.15, "private": 0.10, "archived": 0.30, "trashed": 0.03}  # of each account's links
FILTER_SHARE = 0.03  # the two-tag filter matches about this share of the big user's reading list

Reader = Account[ReadifyLink]


def make_link(rng: random.Random, owner: str, serial: int, now: int) -> ReadifyLink:
    """Listsurf's link (title, URL, times) with tags, flags and perhaps a time in the trash."""
    base = listsurf_data.make_link(rng, owner, serial, now)
    tags = list(
        dict.fromkeys(rng.choices(TAGS, weights=TAG_WEIGHTS, k=rng.choices(TAGS_PER_LINK, TAGS_PER_LINK_WEIGHTS)[0]))
    )
    deleted_at = now - rng.randrange(86_400_000, 20 * 86_400_000) if rng.random() < SHARES["trashed"] else None
    return ReadifyLink.model_construct(
        id=f"{rng.getrandbits(96):024x}",
        owner=owner,
        url=base.url,
        title=base.title,
        tags=tags,
        liked=rng.random() < SHARES["liked"],
        archived=rng.random() < SHARES["archived"],
        private=rng.random() < SHARES["private"],
        deleted_at=deleted_at,
        created_at=base.created_at,
        updated_at=max(base.updated_at, deleted_at or 0),
    )


def make_accounts(now: int) -> list[Reader]:
    """Every account with its links, the same on every run (the big one first)."""
    rng = random.Random(SEED)
    accounts, serial = [], 0
    for name, count in listsurf_data.link_counts(random.Random(listsurf_data.SEED)).items():
        account = Reader(name)
        for _ in range(count):
            serial += 1
            account.links.append(make_link(rng, name, serial, now))
        accounts.append(account)
    return accounts


def newest_first(links: list[ReadifyLink]) -> list[ReadifyLink]:
    return sorted(links, key=lambda link: (link.created_at, link.id), reverse=True)


def reading_list(account: Reader) -> list[ReadifyLink]:
    """What the dashboard lists: neither archived nor in the trash, newest saved first."""
    return newest_first([link for link in account.links if not link.archived and link.deleted_at is None])


def filter_tags(account: Reader) -> tuple[str, str]:
    """Two tags that together mark about :data:`FILTER_SHARE` of the reading list (the commoner first)."""
    shown = reading_list(account)
    counts = Counter(tag for link in shown for tag in link.tags)
    pairs = Counter(
        (a, b)
        for link in shown
        for a in link.tags
        for b in link.tags
        if counts[a] > counts[b] or (counts[a] == counts[b] and a < b)
    )
    target = FILTER_SHARE * len(shown)
    return min(pairs, key=lambda pair: (abs(pairs[pair] - target), pair))


def words_of(link: ReadifyLink) -> list[str]:
    """The words search looks at (FTS5's unicode61 splits on what is not a letter or digit)."""
    return re.findall(r"[^\W_]+", f"{link.title} {link.url} {' '.join(link.tags)}".lower())


def fill(store: SQLiteStore, accounts: list[Reader]) -> float:
    """Create the accounts and save every link one by one, oldest first; the seconds it took."""
    listsurf_data.create_accounts(store, accounts)
    links = sorted((link for account in accounts for link in account.links), key=lambda link: link.created_at)
    return listsurf_data.save_all(links, stored_links(store).add, "")


def deep_cursor(next_page: Callable[[str | None], str | None]) -> str:
    """The cursor after :data:`DEEP_AFTER` links, following ``next_page(cursor) -> cursor`` 200 at a time."""
    cursor, seen = None, 0
    while seen < DEEP_AFTER:
        cursor = next_page(cursor)
        seen += 200
        if cursor is None:
            raise RuntimeError(f"fewer than {DEEP_AFTER:,} links to page through")
    return str(cursor)


def page_calls(store: SQLiteStore, big: Reader, tags: tuple[str, str], word: str) -> dict[str, Callable[[], object]]:
    """What each measured page asks of ``readify.links`` for the big user, as calls."""
    name = big.name
    deep = deep_cursor(lambda cursor: readify_links.list_links(store, name, limit=200, cursor=cursor).next_cursor)
    return {
        "dashboard": lambda: readify_links.list_links(store, name, limit=PAGE, view="unread"),
        "two-tag filter": lambda: readify_links.list_links(store, name, limit=PAGE, view="unread", tags=tags),
        "search": lambda: readify_links.list_links(store, name, limit=PAGE, view="unread", search=word),
        "tags": lambda: readify_links.tag_counts(store, name),
        "public profile": lambda: readify_links.public_links(store, name, limit=PAGE),
        "API first page": lambda: readify_links.list_links(store, name, limit=PAGE),
        "API deep cursor": lambda: readify_links.list_links(store, name, limit=PAGE, cursor=deep),
    }
