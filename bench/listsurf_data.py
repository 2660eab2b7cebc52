"""The store benchmarks' data: 50 accounts, one with 10,000 links, the same on every run (seeded); a SQLite
store filled with them as people would, one link at a time; Listsurf's data layer timed in this process.

The only benchmark modules that use the suite's own code are this one and :mod:`bench.readify_data`.
"""

from __future__ import annotations

import datetime
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from bench.harness import say
from bench.report import median_ms
from brubeck.auth import hash_password
from listsurf.links import list_links
from listsurf.models import Link
from listsurf.store import links as stored_links
from shared.models import SavedLink, User
from shared.store import SQLITE_FILE
from shared.store.sqlite import SQLiteStore
from shared.users import create_user

SEED = 20261201
USERS = 50
TOTAL_LINKS = 50_000
BIG_USER, BIG_LINKS = "bigreader", 10_000
PASSWORD = "correct horse battery"
PASSWORD_ROUNDS = 4  # cheap bcrypt hashes for the 50 accounts
PAGE = 50  # links on a dashboard page, and the API limit measured
SPAN_MS = 3 * 365 * 86_400_000  # links were saved over the last three years
PROGRESS_EVERY = 5_000

VOCABULARY = """
python sqlite database index query search server client cache latency queue stream kernel linux
network protocol browser design interface pattern library framework release version history guide
tutorial introduction deep dive notes review paper research study science physics biology climate
energy solar battery market economy policy election court city transit housing water forest ocean
music album film review book novel poetry history empire war peace museum garden recipe bread coffee
travel mountain river island winter summer spring autumn morning night startup founder product growth
remote work team meeting email calendar privacy security password encryption attack bug patch fix
compiler parser memory garbage collector thread async event loop socket packet router cloud storage
backup archive photo camera lens design typography color layout font mobile phone tablet keyboard
chess game puzzle math proof theorem prime graph tree sort algorithm learning model neural vision
language speech translation health sleep running cycling football tennis rust golang javascript
""".split()
VOCABULARY = list(dict.fromkeys(VOCABULARY))  # unique, in order: earlier words are more frequent
WEIGHTS = [1 / (rank + 1) ** 0.9 for rank in range(len(VOCABULARY))]  # Zipf-like word frequencies
HOSTS = (
    "news.ycombinator.com lwn.net arstechnica.com github.com en.wikipedia.org www.nytimes.com "
    "www.theguardian.com medium.com blog.cloudflare.com martinfowler.com stackoverflow.com "
    "www.youtube.com www.nature.com www.economist.com www.bbc.co.uk docs.python.org sqlite.org "
    "www.postgresql.org aeon.co www.quantamagazine.org"
).split()

L = TypeVar("L", bound=SavedLink)


@dataclass(eq=False)  # compared and hashed by identity: a key of the result tables
class Account(Generic[L]):
    """A user of the run: its links (made, then stored), and once signed in its session and API key."""

    name: str
    links: list[L] = field(default_factory=list)
    cookie: str = ""
    token: str = ""


Surfer = Account[Link]


def link_counts(rng: random.Random) -> dict[str, int]:
    """How many links each account gets: the big one 10,000, the others a varied share of the rest."""
    others = [f"reader{number:02d}" for number in range(1, USERS)]
    weights = [rng.lognormvariate(0, 0.6) for _ in others]
    rest = TOTAL_LINKS - BIG_LINKS
    counts = [int(rest * weight / sum(weights)) for weight in weights]
    for index in range(rest - sum(counts)):
        counts[index] += 1
    return {BIG_USER: BIG_LINKS, **dict(zip(others, counts, strict=True))}


def make_link(rng: random.Random, owner: str, serial: int, now: int) -> Link:
    """A link with a title of vocabulary words, a distinct URL and a time in the last three years."""
    words = rng.choices(VOCABULARY, weights=WEIGHTS, k=rng.randint(3, 9))
    title = " ".join(words).capitalize()
    updated_at = now - int(rng.random() ** 1.5 * SPAN_MS)  # more of them recently
    created_at = updated_at - rng.randrange(1, 90 * 86_400_000) if rng.random() < 0.15 else updated_at
    year = datetime.datetime.fromtimestamp(updated_at / 1000, datetime.UTC).year
    url = f"https://{rng.choice(HOSTS)}/{year}/{'-'.join(words[:5])}-{serial}"
    return Link(
        id=Link.id_for(owner, url), owner=owner, url=url, title=title, created_at=created_at, updated_at=updated_at
    )


def make_accounts(now: int) -> list[Surfer]:
    """Every account with its links, the same on every run (the big one first)."""
    rng = random.Random(SEED)
    accounts, serial, started = [], 0, time.monotonic()
    for name, count in link_counts(rng).items():
        account = Surfer(name)
        for _ in range(count):
            serial += 1
            account.links.append(make_link(rng, name, serial, now))
            if serial % (2 * PROGRESS_EVERY) == 0:
                say(f"  made {serial:,}/{TOTAL_LINKS:,} links, {time.monotonic() - started:.1f}s")
        accounts.append(account)
    return accounts


def median_account(accounts: list[Surfer]) -> Surfer:
    """The small account with the median number of links."""
    small = sorted((a for a in accounts if a.name != BIG_USER), key=lambda a: len(a.links))
    return small[len(small) // 2]


def prefix_counts(links: Iterable[SavedLink]) -> Counter[str]:
    """For each word prefix, how many links have a title or URL word starting with it (as FTS5's ``word*``)."""
    counts: Counter[str] = Counter()
    for link in links:
        words = set(re.findall(r"\w+", f"{link.title} {link.url}".lower()))
        counts.update({word[:end] for word in words for end in range(1, len(word) + 1)})
    return counts


def search_word(links: Sequence[SavedLink]) -> str:
    """A vocabulary word found in about a tenth of ``links``: pages full, hundreds of matches."""
    counts = prefix_counts(links)
    target = len(links) / 10
    return min((w for w in VOCABULARY if len(w) >= 5), key=lambda w: abs(counts[w] - target))


def store_file(folder: Path) -> Path:
    """The SQLite file of a store kept in ``folder``."""
    return folder / SQLITE_FILE


def open_store(folder: Path) -> SQLiteStore:
    """The store in ``folder``, created if new."""
    return SQLiteStore(store_file(folder))


def store_mb(folder: Path) -> float:
    """The size of the store in ``folder``, its WAL included."""
    return sum(path.stat().st_size for path in folder.glob(SQLITE_FILE + "*")) / 1e6


def create_accounts(store: SQLiteStore, accounts: Iterable[Account[L]]) -> None:
    hashed = hash_password(PASSWORD, rounds=PASSWORD_ROUNDS)
    for account in accounts:
        if not create_user(store, User(username=account.name, password_hash=hashed)):
            raise RuntimeError(f"could not create the account {account.name}")


def save_all(links: list[L], save: Callable[[L], object], label: str) -> float:
    """``save(link)`` for each of ``links`` in turn, saying how it goes; the seconds it took."""
    started = time.monotonic()
    for number, link in enumerate(links, 1):
        save(link)
        if number % PROGRESS_EVERY == 0 or number == len(links):
            elapsed = time.monotonic() - started
            say(f"  {label}{number:,}/{len(links):,} links, {elapsed:.1f}s ({number / elapsed:,.0f}/s)")
    return time.monotonic() - started


def fill(store: SQLiteStore, links: list[Link], label: str) -> float:
    """Save ``links`` one by one, oldest first, as people would; the seconds it took."""
    return save_all(sorted(links, key=lambda link: link.updated_at), stored_links(store).upsert, f"{label}: ")


def fill_alone(store: SQLiteStore, accounts: list[Surfer], small: Surfer, copy: Path) -> float:
    """Every account, and only the small one's links, copied to the folder ``copy`` (to compare with later)."""
    create_accounts(store, accounts)
    say(f"[fill 1/2] {small.name}'s links alone…")
    took = fill(store, small.links, small.name)
    copy.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(store.database.path)) as source, closing(sqlite3.connect(store_file(copy))) as target:
        source.backup(target)  # a consistent copy, what the WAL holds included
    return took


def fill_rest(store: SQLiteStore, accounts: list[Surfer], small: Surfer) -> float:
    """The other accounts' links."""
    others = [link for account in accounts if account is not small for link in account.links]
    say(f"[fill 2/2] the other {len(accounts) - 1} accounts' {len(others):,} links…")
    return fill(store, others, "others")


def first_page_ms(store: SQLiteStore, copy: Path, small: Surfer, big: Surfer, rounds: int) -> dict[str, float]:
    """Median milliseconds of ``list_links`` for a first page, in turns: the small account on the copy
    (``alone``) and on the full store (``all``), the big one (``big``)."""
    say(f"[data layer] list_links in turns: {small.name} alone, {small.name} among all, {big.name}…")
    alone = open_store(copy)
    try:
        cases = {"alone": (alone, small), "all": (store, small), "big": (store, big)}
        calls = {key: _first_page(where, account.name) for key, (where, account) in cases.items()}
        return median_ms(calls, rounds)
    finally:
        alone.close()


def _first_page(store: SQLiteStore, owner: str) -> Callable[[], object]:
    return lambda: list_links(store, owner, limit=PAGE)
