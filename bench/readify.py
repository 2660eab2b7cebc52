#!/usr/bin/env python
"""Readify on the embedded store at 50,000 links: page and API times through Mongrel2, loaded with wrk.

    .venv/bin/python bench/readify.py [--duration 5] [--warmup 1] [--data DIR]

1. Fill a fresh SQLite store through ``store.readify_links.add``: 50 accounts, one with 10,000
   links, 49 sharing 40,000 (the counts, titles, URLs and times of bench/store.py), each link with
   0 to 5 tags drawn from 39 (Zipf-like), some liked, private, archived or in the trash (seeded).
2. Time the ``shared.readify_links`` call behind each page for the big user in this process (the data
   layer alone).
3. Serve it: one Mongrel2 on free ports with ``python -m readify.web`` behind ``readify.localhost``
   and ``python -m readify.api`` behind ``api.readify.localhost``, as the suite runs them.
4. For the big user: the dashboard, a two-tag filter, a search, ``/tags`` and the public profile
   (web), ``GET /links?limit=50`` and a deep cursor (API), one client at a time; then each with 20
   clients while one more client keeps asking the *other* process for something cheap (``/login``
   of the web process, ``GET /me`` of the API process).

Goals (issue 11): p99 under 20 ms for each page with one client; the cheap request of the other
process under 50 ms p99 while the 20 clients run.  Markdown tables for README end the run.
``--data DIR`` keeps the store and the logs in DIR, and a later run with the same DIR reuses the store.
"""

from __future__ import annotations

import os

os.environ.setdefault("BRUBECK_MONKEY_PATCH", "0")  # this process runs real threads and subprocesses

import argparse  # noqa: E402
import datetime  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import parse_qs, quote, urlencode, urlsplit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# bench.store sets the cheap bcrypt rounds for the benchmark's accounts before brubeck.auth is imported.
from bench import store as store_bench  # noqa: E402
from bench import wrk  # noqa: E402
from bench.hello import cpu_seconds, distinct_ports, load_average, log_tail, say, stop_process  # noqa: E402
from brubeck.csrf import CSRF_FIELD  # noqa: E402
from brubeck.testing import CSRF_INPUT, Mongrel2Server  # noqa: E402
from brubeck.timekeeping import curtime  # noqa: E402
from shared import readify_links  # noqa: E402
from shared.models import ReadifyLink, User  # noqa: E402
from shared.store import SQLITE_FILE  # noqa: E402
from shared.store.sqlite import SQLiteStore  # noqa: E402
from shared.users import create_user  # noqa: E402

SEED = 20261202
BIG_USER = store_bench.BIG_USER
TOTAL_LINKS = store_bench.TOTAL_LINKS
PASSWORD = store_bench.PASSWORD
PAGE = 50
DEEP_AFTER = 9_000  # the deep cursor starts after this many of the big user's links
LOAD_CLIENTS = 20
P99_GOAL_MS = 20.0
CHEAP_GOAL_MS = 50.0
PROGRESS_EVERY = 5_000
START_TIMEOUT = 20.0
SETTLE_TIMEOUT = 120.0
QUERY_ROUNDS = 100
BUSY_LOAD = 1.0
WEB_HOST, API_HOST = "readify.localhost", "api.readify.localhost"

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


# -- the data ---------------------------------------------------------------------------------------------------


@dataclass(eq=False)
class Account:
    name: str
    links: list[ReadifyLink] = field(default_factory=list)
    cookie: str = ""  # the web session
    token: str = ""  # the API key


def make_link(rng: random.Random, owner: str, serial: int, now: int) -> ReadifyLink:
    """bench/store.py's link (title, URL, times) with tags, flags and perhaps a time in the trash."""
    base = store_bench.make_link(rng, owner, serial, now)
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


def make_accounts(now: int) -> list[Account]:
    """Every account with its links, the same on every run (the big one first)."""
    rng = random.Random(SEED)
    accounts, serial = [], 0
    for name, count in store_bench.link_counts(random.Random(store_bench.SEED)).items():
        account = Account(name)
        for _ in range(count):
            serial += 1
            account.links.append(make_link(rng, name, serial, now))
        accounts.append(account)
    return accounts


def reading_list(account: Account) -> list[ReadifyLink]:
    """What the dashboard lists: neither archived nor in the trash, newest saved first."""
    kept = [link for link in account.links if not link.archived and link.deleted_at is None]
    return sorted(kept, key=lambda link: (link.created_at, link.id), reverse=True)


def filter_tags(account: Account) -> tuple[str, str]:
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


def fill(store: SQLiteStore, accounts: list[Account]) -> float:
    """Create the accounts and save every link one by one, oldest first; the seconds it took."""
    for account in accounts:
        user = User(username=account.name)
        user.set_password(PASSWORD)
        if not create_user(store, user):
            raise RuntimeError(f"could not create the account {account.name}")
    links = sorted((link for account in accounts for link in account.links), key=lambda link: link.created_at)
    started = time.monotonic()
    for number, link in enumerate(links, 1):
        store.readify_links.add(link)
        if number % PROGRESS_EVERY == 0 or number == len(links):
            elapsed = time.monotonic() - started
            say(f"  {number:,}/{len(links):,} links, {elapsed:.1f}s ({number / elapsed:,.0f}/s)")
    return time.monotonic() - started


# -- the data layer alone ---------------------------------------------------------------------------------------


def query_cases(store: SQLiteStore, big: Account, tags: tuple[str, str], word: str) -> dict[str, Any]:
    """What each measured page asks of ``shared.readify_links`` for the big user, as calls."""
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


def query_times(cases: dict[str, Any]) -> dict[str, float]:
    """Median milliseconds of each call, in turns (so that other processes' load sways them alike)."""
    times: dict[str, list[float]] = {key: [] for key in cases}
    for _ in range(QUERY_ROUNDS):
        for key, call in cases.items():
            started = time.perf_counter()
            call()
            times[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) * 1000 for key, values in times.items()}


def deep_cursor(next_page: Any) -> str:
    """The cursor after :data:`DEEP_AFTER` links, following ``next_page(cursor) -> cursor`` 200 at a time."""
    cursor, seen = None, 0
    while seen < DEEP_AFTER:
        cursor = next_page(cursor)
        seen += 200
        if cursor is None:
            raise RuntimeError(f"fewer than {DEEP_AFTER:,} links to page through")
    return str(cursor)


# -- the servers ------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    cookies: dict[str, str]
    body: str


def fetch(
    port: int,
    host: str,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    timeout: float = 10,
) -> Reply:
    """One HTTP request to Mongrel2 on loopback for ``host``, no redirects followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        set_cookies = response.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()
    cookies = dict(header.split(";", 1)[0].strip().split("=", 1) for header in set_cookies)
    return Reply(response.status, cookies, text)


@dataclass
class Process:
    """A handler process behind Mongrel2: which host it serves, and its cheap request."""

    name: str
    host: str
    cheap: str  # the path asked meanwhile while the other process is loaded
    pid: int = 0
    headers: dict[str, str] = field(default_factory=dict)  # what the cheap request and the pages send

    def header_lines(self) -> list[str]:
        return [f"{k}: {v}" for k, v in {"Host": self.host, **self.headers}.items()]


@dataclass
class Servers:
    port: int
    web: Process
    api: Process

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def mongrel2_config(port: int, server_uuid: str, web: tuple[str, str], api: tuple[str, str]) -> str:
    """One server, two hosts, one handler each (as conf/mongrel2.conf routes readify and its API)."""
    return f"""
web = Handler(send_spec='{web[0]}', send_ident='{uuid.uuid4()}', recv_spec='{web[1]}', recv_ident='')
api = Handler(send_spec='{api[0]}', send_ident='{uuid.uuid4()}', recv_spec='{api[1]}', recv_ident='')
main = Server(
    uuid="{server_uuid}", chroot="./", name="bench-readify",
    access_log="logs/access.log", error_log="logs/error.log", pid_file="run/mongrel2.pid",
    default_host="{WEB_HOST}", port={port},
    hosts=[Host(name="{WEB_HOST}", matching="${WEB_HOST}", routes={{'/': web}}),
           Host(name="{API_HOST}", matching="${API_HOST}", routes={{'/': api}})]
)
settings = {{"server.daemonize": 0, "zeromq.threads": 1, "limits.content_length": 2097152,
             "limits.buffer_size": 65536, "upload.temp_store": "tmp/mongrel2.upload.XXXXXX"}}
servers = [main]
"""


def wait_until_serving(port: int, waits: list[tuple[subprocess.Popen[bytes], Path, int, Process]]) -> None:
    """Wait until each process is connected to its Mongrel2 request socket and answers its cheap request."""
    deadline = time.monotonic() + START_TIMEOUT
    for process, log, pull_port, which in waits:
        problem = "no answer"
        while True:
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"{which.name} did not answer within {START_TIMEOUT:g}s ({problem})\n{log_tail(log)}"
                )
            if process.poll() is not None:
                raise RuntimeError(f"{which.name} exited with code {process.returncode}:\n{log_tail(log)}")
            if not store_bench.connected(process.pid, pull_port):
                problem = "not connected to Mongrel2 yet"
            else:
                try:
                    ready = which.cheap if which.name == "web" else "/"  # the API's index needs no key
                    status = fetch(port, which.host, ready, timeout=1).status
                    if status == 200:
                        break
                    problem = f"status {status}"
                except OSError as error:
                    problem = str(error)
            time.sleep(0.1)


@contextmanager
def serving(data_dir: Path, workdir: Path) -> Iterator[Servers]:
    """Mongrel2 on free ports with ``python -m readify.web`` and ``python -m readify.api`` behind it."""
    port, web_pull, web_pub, api_pull, api_pub = distinct_ports(5)
    address = "tcp://127.0.0.1:{}".format
    server_uuid = str(uuid.uuid4())
    config = mongrel2_config(
        port, server_uuid, (address(web_pull), address(web_pub)), (address(api_pull), address(api_pub))
    )
    mongrel2 = Mongrel2Server(config, workdir, server_uuid, port)
    web, api = Process("web", WEB_HOST, "/login"), Process("api", API_HOST, "/me")
    env = dict(
        store_bench._CHILD_ENV,
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        SUITE_DATA_DIR=str(data_dir),
        COOKIE_SECRET="bench-readify-" + uuid.uuid4().hex,
        LOG_LEVEL="WARNING",
    )
    started: list[subprocess.Popen[bytes]] = []
    waits = []
    try:
        say(f"  starting mongrel2 on 127.0.0.1:{port}, python -m readify.web and python -m readify.api…")
        workdir.mkdir(parents=True, exist_ok=True)
        mongrel2.start()
        for which, module, pull, pub in (
            (web, "readify.web", web_pull, web_pub),
            (api, "readify.api", api_pull, api_pub),
        ):
            log = workdir / f"{which.name}.log"
            with log.open("wb") as log_file:
                process = subprocess.Popen(
                    [sys.executable, "-m", module],
                    cwd=ROOT,
                    env=dict(env, BRUBECK_PULL=address(pull), BRUBECK_PUB=address(pub)),
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches only us; we stop it below
                )
            started.append(process)
            which.pid = process.pid
            waits.append((process, log, pull, which))
        wait_until_serving(port, waits)
        yield Servers(port, web, api)
    finally:
        say("  stopping readify.web, readify.api and mongrel2…")
        for process in started:
            stop_process(process)
        mongrel2.stop()


def sign_in(servers: Servers, account: Account) -> None:
    """The web session through the login form (cookies kept), and an API key from ``POST /tokens``."""
    form = fetch(servers.port, WEB_HOST, "/login")
    token = CSRF_INPUT.search(form.body)
    if form.status != 200 or not token:
        raise RuntimeError(f"GET /login answered {form.status} without a CSRF field")
    cookie = "; ".join(f"{k}={v}" for k, v in form.cookies.items())
    fields = urlencode({"username": account.name, "password": PASSWORD, CSRF_FIELD: token.group(1)})
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    reply = fetch(servers.port, WEB_HOST, "/login", "POST", headers, fields)
    if reply.status != 302 or "session" not in reply.cookies:
        raise RuntimeError(f"logging {account.name} in answered {reply.status}: {reply.body[:200]}")
    account.cookie = "; ".join(f"{k}={v}" for k, v in {**form.cookies, **reply.cookies}.items())
    credentials = json.dumps({"username": account.name, "password": PASSWORD})
    reply = fetch(servers.port, API_HOST, "/tokens", "POST", {"Content-Type": "application/json"}, credentials)
    if reply.status != 200 and reply.status != 201:
        raise RuntimeError(f"POST /tokens for {account.name} answered {reply.status}: {reply.body[:200]}")
    account.token = json.loads(reply.body)["token"]
    servers.api.headers = {"Authorization": f"Token {account.token}"}


# -- the pages --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the result tables
class Target:
    """One page or API request measured, on the process that answers it, with what it must show."""

    label: str
    process: Process
    path: str
    headers: tuple[str, ...]
    expect: str  # text the answer must hold (the first link's URL, or a tag)

    def check(self, servers: Servers) -> None:
        headers = dict(line.split(": ", 1) for line in self.headers)
        host = headers.pop("Host")
        reply = fetch(servers.port, host, self.path, headers=headers)
        if reply.status != 200 or self.expect not in reply.body:
            raise RuntimeError(f"GET {self.path} answered {reply.status} without {self.expect!r}: {reply.body[:300]}")


def targets(servers: Servers, big: Account, tags: tuple[str, str], word: str) -> list[Target]:
    web, api = servers.web, servers.api
    cookie = (f"Host: {WEB_HOST}", f"Cookie: {big.cookie}")
    token = tuple(api.header_lines())
    shown = reading_list(big)
    tagged = [link for link in shown if set(tags) <= set(link.tags)]
    found = [link for link in shown if any(w.startswith(word) for w in words_of(link))]
    public = sorted(
        (link for link in big.links if not link.private and link.deleted_at is None),
        key=lambda link: (link.created_at, link.id),
        reverse=True,
    )
    everything = sorted(
        (link for link in big.links if link.deleted_at is None),
        key=lambda link: (link.created_at, link.id),
        reverse=True,
    )

    def next_page(cursor: str | None) -> str | None:
        path = "/links?limit=200" + (f"&cursor={quote(cursor)}" if cursor else "")
        reply = fetch(servers.port, API_HOST, path, headers=api.headers)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} answered {reply.status}: {reply.body[:200]}")
        later = json.loads(reply.body)["next"]
        return parse_qs(urlsplit(later).query)["cursor"][0] if later else None

    deep = deep_cursor(next_page)
    two = "&".join(f"tag={tag}" for tag in tags)
    return [
        Target("dashboard `/`", web, "/", cookie, shown[0].url),
        Target(f"two-tag filter `/?{two}`", web, f"/?{two}", cookie, tagged[0].url),
        Target(f"search `/?q={word}`", web, f"/?q={word}", cookie, found[0].url),
        Target("`/tags`", web, "/tags", cookie, tags[1]),
        Target(f"public profile `/{big.name}`", web, f"/{big.name}", (f"Host: {WEB_HOST}",), public[0].url),
        Target(f"API `GET /links?limit={PAGE}`", api, f"/links?limit={PAGE}", token, everything[0].id),
        Target(
            f"API deep cursor (after {DEEP_AFTER:,})",
            api,
            f"/links?limit={PAGE}&cursor={quote(deep)}",
            token,
            everything[DEEP_AFTER].id,
        ),
    ]


# -- measuring --------------------------------------------------------------------------------------------------


def settle(servers: Servers, process: Process) -> None:
    """Wait until ``process`` answers its cheap request within 20 ms three times running (its backlog done)."""
    started, quick = time.monotonic(), 0
    headers = dict(line.split(": ", 1) for line in process.header_lines())
    host = headers.pop("Host")
    while quick < 3:
        if time.monotonic() - started > SETTLE_TIMEOUT:
            raise RuntimeError(f"{process.name} was still busy {SETTLE_TIMEOUT:g}s after the last run")
        sent = time.monotonic()
        try:
            ok = fetch(servers.port, host, process.cheap, headers=headers, timeout=SETTLE_TIMEOUT).status == 200
        except OSError:
            ok = False
        quick = quick + 1 if ok and time.monotonic() - sent < 0.02 else 0


def one_client(servers: Servers, target: Target, args: argparse.Namespace) -> wrk.WrkResult:
    settle(servers, target.process)
    pid = target.process.pid
    return wrk.one_client(
        servers.url(target.path), args.duration, args.warmup, target.headers, lambda: cpu_seconds(pid)
    )


def under_load(servers: Servers, target: Target, args: argparse.Namespace) -> tuple[wrk.WrkResult, wrk.WrkResult]:
    """20 clients on the page while one more asks the other process for its cheap request: (page, cheap)."""
    other = servers.api if target.process is servers.web else servers.web
    settle(servers, target.process)
    settle(servers, other)
    url, other_url = servers.url(target.path), servers.url(other.cheap)
    return wrk.beside_load(url, target.headers, LOAD_CLIENTS, args.duration, other_url, other.header_lines())


@dataclass
class Results:
    query_ms: dict[str, float] = field(default_factory=dict)
    single: dict[Target, wrk.WrkResult] = field(default_factory=dict)
    loaded: dict[Target, tuple[wrk.WrkResult, wrk.WrkResult]] = field(default_factory=dict)
    fill_s: float = 0.0
    store_mb: float = 0.0
    tags: tuple[str, str] = ("", "")
    tag_matches: int = 0
    word: str = ""
    load_before: str = ""


# -- the report -------------------------------------------------------------------------------------------------


def report(results: Results, big: Account, args: argparse.Namespace, started: datetime.datetime) -> None:
    p50, p99, mark, clean, cpu = store_bench.p50, store_bench.p99, store_bench.mark, store_bench.clean, store_bench.cpu
    say("")
    for line in store_bench.machine_lines(started):
        say(line)
    say(
        f"store: SQLite (WAL), {store_bench.USERS} users, {TOTAL_LINKS:,} Readify links ({results.store_mb:.0f} MB), "
        f"filled in {results.fill_s:.0f}s through store.readify_links.add; {big.name}: {len(big.links):,} links, "
        f"{len(reading_list(big)):,} in the reading list, two-tag filter {'+'.join(results.tags)} on "
        f"{results.tag_matches} of them, search word {results.word!r}; one readify.web and one readify.api "
        f"process behind one Mongrel2; wrk --latency, {args.duration:g}s a run (1 client: -t1 -c1 after a "
        f"{args.warmup:g}s warm-up; {LOAD_CLIENTS} clients: -t2 -c{LOAD_CLIENTS}, the other process's cheap "
        "request by one more client -t1 -c1)"
    )
    say(f"load average before the run: {results.load_before}; after: {load_average()} (1, 5, 15 min)")
    say("")
    say(
        f"| {big.name} (10,000 links), one client at a time | process | p50 | p99 | requests/s "
        f"| handler CPU per request | data layer alone (median) | p99 < {P99_GOAL_MS:g} ms |"
    )
    say("|---|---|---:|---:|---:|---:|---:|:---:|")
    keys = list(results.query_ms)
    for index, (target, result) in enumerate(results.single.items()):
        met = clean(result) and result.p99_ms < P99_GOAL_MS
        query = store_bench.ms(results.query_ms.get(keys[index])) if index < len(keys) else "n/a"
        say(
            f"| {target.label} | {target.process.name} | {p50(result)} | {p99(result)} "
            f"| {result.requests_per_s:,.0f} | {cpu(result)} | {query} | {mark(met)} |"
        )
    say("")
    say(
        f"| {LOAD_CLIENTS} clients on | process | p50 | p99 | requests/s | meanwhile on the other process "
        f"| its p99 | < {CHEAP_GOAL_MS:g} ms |"
    )
    say("|---|---|---:|---:|---:|---|---:|:---:|")
    for target, (page, cheap) in results.loaded.items():
        other = "`GET /me` (api)" if target.process.name == "web" else "`/login` (web)"
        met = clean(cheap) and cheap.p99_ms < CHEAP_GOAL_MS
        say(
            f"| {target.label} | {target.process.name} | {p50(page)} | {p99(page)} | {page.requests_per_s:,.0f} "
            f"| {other} | {p99(cheap)} | {mark(met)} |"
        )
    say("")
    for target, result in results.single.items():
        if result.errors:
            say(f"note: {target.path[:60]} (1 client): wrk errors {result.errors}")
    for target, (page, cheap) in results.loaded.items():
        for name, result in (("page", page), ("cheap request", cheap)):
            if result.errors:
                say(f"note: {target.path[:60]} ({LOAD_CLIENTS} clients, {name}): wrk errors {result.errors}")
    single = sum(clean(r) and r.p99_ms < P99_GOAL_MS for r in results.single.values())
    cheap_met = sum(clean(c) and c.p99_ms < CHEAP_GOAL_MS for _, c in results.loaded.values())
    say(f"goal p99 < {P99_GOAL_MS:g} ms, one client at a time: met for {single} of {len(results.single)}")
    say(
        f"goal other process's cheap request p99 < {CHEAP_GOAL_MS:g} ms under {LOAD_CLIENTS} clients: "
        f"met in {cheap_met} of {len(results.loaded)} runs"
    )


# -- the run ----------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, folder: Path, results: Results) -> Account:
    say("[data] making 50 accounts and their Readify links (seeded)…")
    accounts = make_accounts(curtime())
    big = accounts[0]
    results.tags = filter_tags(big)
    results.tag_matches = sum(set(results.tags) <= set(link.tags) for link in reading_list(big))
    results.word = store_bench.search_word(big)  # type: ignore[arg-type]  # titles and URLs, as Listsurf's
    data = folder / "data"
    path = data / SQLITE_FILE
    filled = path.exists()
    store = SQLiteStore(path)
    try:
        took = data / "fill_seconds"  # how long the fill took, for a run that reuses the store
        if filled:
            say(f"[fill] reusing the store in {data}")
            results.fill_s = float(took.read_text()) if took.exists() else 0.0
        else:
            say(f"[fill] {TOTAL_LINKS:,} links, one by one…")
            results.fill_s = fill(store, accounts)
            took.write_text(f"{results.fill_s:.1f}")
        results.store_mb = sum(f.stat().st_size for f in data.glob(SQLITE_FILE + "*")) / 1e6
        say(f"[data layer] shared.readify_links for {big.name}, {QUERY_ROUNDS} rounds in turns…")
        results.query_ms = query_times(query_cases(store, big, results.tags, results.word))
        for key, value in results.query_ms.items():
            say(f"  {key}: {value:.2f} ms")
    finally:
        store.close()
    with serving(data, folder / "mongrel2") as servers:
        sign_in(servers, big)
        say("[pages] checking every page…")
        measured = targets(servers, big, results.tags, results.word)
        for target in measured:
            target.check(servers)
        for number, target in enumerate(measured, 1):
            say(f"[1 client {number}/{len(measured)}] {target.path[:70]}")
            result = results.single[target] = one_client(servers, target, args)
            say(f"  p50 {store_bench.p50(result)}, p99 {store_bench.p99(result)}")
        for number, target in enumerate(measured, 1):
            say(f"[{LOAD_CLIENTS} clients {number}/{len(measured)}] {target.path[:60]} + the other process")
            page, cheap = results.loaded[target] = under_load(servers, target, args)
            other = store_bench.p99(cheap)
            say(f"  p99 {store_bench.p99(page)} at {page.requests_per_s:,.0f}/s; other process p99 {other}")
    return big


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5, help="whole seconds of each wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="whole seconds of warm-up before each 1-client run")
    parser.add_argument("--data", type=Path, help="a folder to keep the run in; a store already there is reused")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 120:
        parser.error("--duration must be between 0 and 120 seconds")
    if not 0 <= args.warmup <= 30:
        parser.error("--warmup must be between 0 and 30 seconds")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.datetime.now().astimezone()
    results = Results(load_before=load_average())
    busy = store_bench.begin("bench/readify.py")
    if busy is None:
        return 2
    clock = time.monotonic()
    folder = args.data or Path(tempfile.mkdtemp(prefix="brubeck-bench-readify-"))
    try:
        big = run(args, folder, results)
    except KeyboardInterrupt:
        print("\ninterrupted; every process was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
        print(f"bench/readify.py failed: {error}", file=sys.stderr)
        return 1
    finally:
        if args.data is None:
            shutil.rmtree(folder, ignore_errors=True)
    report(results, big, args, started)
    say(f"total time: {time.monotonic() - clock:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
