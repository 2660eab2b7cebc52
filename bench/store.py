#!/usr/bin/env python
"""Listsurf on the embedded store at 50,000 links: page times through Mongrel2, loaded with wrk.

    .venv/bin/python bench/store.py [--duration 5] [--warmup 1] [--processes 2] [--keep]

1. Fill a fresh SQLite store: 50 accounts, one with 10,000 links, 49 sharing 40,000, with
   titles drawn from a fixed vocabulary and times spread over three years (seeded, so every
   run has the same data).  The measured small user's links go in first, alone.
2. Serve it: Mongrel2 on free ports, ``python -m listsurf`` as its handler; log two users in.
3. Time the small user's dashboard while the store holds only its links; fill the rest; time
   ``list_links`` in this process on a copy of the small-only store and on the full one, in turns.
4. For the big user and the small one: the dashboard, a search, ``/api?limit=50`` and a deep
   page (after 9,000 links; the small user's last), one client at a time, then 20 clients
   while one more client keeps requesting ``/login``.
5. The 20-client runs again with two Listsurf processes (``--processes``) on the same Mongrel2
   handler ports, as ``SUITE_PROCESSES=listsurf=2`` runs them.

Goals: p99 under 20 ms for each page with one client; ``/login`` p99 under 50 ms while the
20 clients run; a user's page time independent of other users' links.  Markdown tables for
README end the run.
"""

from __future__ import annotations

import os

_CHILD_ENV = {k: v for k, v in os.environ.items() if k != "MONGODB_URL"}  # the server: as run, on the embedded store
os.environ["BRUBECK_BCRYPT_ROUNDS"] = "4"  # cheap hashes for the 50 accounts (read when brubeck.auth is imported)
os.environ.setdefault("BRUBECK_MONKEY_PATCH", "0")  # this process runs real threads and subprocesses

import argparse  # noqa: E402
import datetime  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import closing, contextmanager, suppress  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import parse_qs, quote, urlencode, urlsplit  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from bench.hello import cpu_seconds, distinct_ports, load_average, log_tail, say, stop_process  # noqa: E402
from brubeck import m2sh  # noqa: E402
from brubeck.csrf import CSRF_FIELD  # noqa: E402
from brubeck.testing import CSRF_INPUT, Mongrel2Server, single_handler_config  # noqa: E402
from brubeck.timekeeping import curtime  # noqa: E402
from shared.links import list_links  # noqa: E402
from shared.models import Link, User  # noqa: E402
from shared.store import SQLITE_FILE  # noqa: E402
from shared.store.sqlite import SQLiteStore  # noqa: E402
from shared.users import create_user  # noqa: E402

SEED = 20261201
USERS = 50
TOTAL_LINKS = 50_000
BIG_USER, BIG_LINKS = "bigreader", 10_000
DEEP_AFTER = 9_000  # the big user's deep page starts after this many links
PASSWORD = "correct horse battery"
PAGE = 50  # links on a dashboard page, and the API limit measured
LOAD_CLIENTS = 20
P99_GOAL_MS = 20.0
LOGIN_GOAL_MS = 50.0
SPAN_MS = 3 * 365 * 86_400_000  # links were saved over the last three years
PROGRESS_EVERY = 5_000
START_TIMEOUT = 20.0
SETTLE_TIMEOUT = 120.0
QUERY_ROUNDS = 200  # list_links calls timed in this process, for the data layer's share of a page
BUSY_LOAD = 1.0  # a 1-minute load average above this before the run: other processes skew the numbers

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


@dataclass(eq=False)  # compared and hashed by identity: a key of the result tables
class Account:
    """A user of the run: its links (made, then stored), and its session once logged in."""

    name: str
    links: list[Link] = field(default_factory=list)
    cookie: str = ""

    @property
    def label(self) -> str:
        kind = "big" if self.name == BIG_USER else "small"
        return f"{kind} ({len(self.links):,} links)"


@dataclass(frozen=True)
class Target:
    """One page measured for one account."""

    page: str
    account: Account
    path: str

    @property
    def headers(self) -> list[str]:
        return [f"Cookie: {self.account.cookie}"]


@dataclass
class Server:
    port: int
    pids: list[int]  # the Listsurf processes behind Mongrel2

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def cpu_seconds(self) -> float:
        """CPU time of the Listsurf processes so far."""
        return sum(cpu_seconds(pid) for pid in self.pids)


# -- the data ---------------------------------------------------------------------------------------------------


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


def make_accounts(now: int) -> list[Account]:
    """Every account with its links, the same on every run."""
    rng = random.Random(SEED)
    accounts, serial, started = [], 0, time.monotonic()
    for name, count in link_counts(rng).items():
        account = Account(name)
        for _ in range(count):
            serial += 1
            account.links.append(make_link(rng, name, serial, now))
            if serial % (2 * PROGRESS_EVERY) == 0:
                say(f"  made {serial:,}/{TOTAL_LINKS:,} links, {time.monotonic() - started:.1f}s")
        accounts.append(account)
    return accounts


def median_account(accounts: list[Account]) -> Account:
    """The small account with the median number of links."""
    small = sorted((a for a in accounts if a.name != BIG_USER), key=lambda a: len(a.links))
    return small[len(small) // 2]


def prefix_counts(links: list[Link]) -> Counter[str]:
    """For each word prefix, how many links have a title or URL word starting with it (as FTS5's ``word*``)."""
    counts: Counter[str] = Counter()
    for link in links:
        words = set(re.findall(r"\w+", f"{link.title} {link.url}".lower()))
        counts.update({word[:end] for word in words for end in range(1, len(word) + 1)})
    return counts


def search_word(big: Account) -> str:
    """A vocabulary word found in about a tenth of the big user's links: pages full, hundreds of matches."""
    counts = prefix_counts(big.links)
    target = len(big.links) / 10
    return min((w for w in VOCABULARY if len(w) >= 5), key=lambda w: abs(counts[w] - target))


def snapshot(path: Path, copy: Path) -> None:
    """A consistent copy of the SQLite file at ``path``, what its WAL holds included."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as source, closing(sqlite3.connect(copy)) as target:
        source.backup(target)


def query_times(cases: dict[str, tuple[SQLiteStore, Account]]) -> dict[str, float]:
    """Median milliseconds of ``list_links`` (an account's first page) per case, timed in this process.

    The cases take turns, so that other processes' load sways them alike.
    """
    times: dict[str, list[float]] = {key: [] for key in cases}
    for _ in range(QUERY_ROUNDS):
        for key, (store, account) in cases.items():
            started = time.perf_counter()
            list_links(store, account.name, limit=PAGE)
            times[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) * 1000 for key, values in times.items()}


def create_accounts(store: SQLiteStore, accounts: list[Account]) -> None:
    for account in accounts:
        user = User(username=account.name)  # what User.create_user does, typed as the store's User
        user.set_password(PASSWORD)
        if not create_user(store, user):
            raise RuntimeError(f"could not create the account {account.name}")


def fill(store: SQLiteStore, links: list[Link], label: str) -> float:
    """Save ``links`` one by one, oldest first, as people would; the seconds it took."""
    started = time.monotonic()
    for number, link in enumerate(sorted(links, key=lambda link: link.updated_at), 1):
        store.links.upsert(link)
        if number % PROGRESS_EVERY == 0 or number == len(links):
            elapsed = time.monotonic() - started
            say(f"  {label}: {number:,}/{len(links):,} links, {elapsed:.1f}s ({number / elapsed:,.0f}/s)")
    return time.monotonic() - started


# -- the server ---------------------------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    cookies: dict[str, str]
    body: str


def request(
    port: int, method: str, path: str, cookie: str = "", form: dict[str, str] | None = None, timeout: float = 10
) -> Reply:
    """One HTTP request on loopback, no redirects followed."""
    headers = {"Cookie": cookie} if cookie else {}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        set_cookies = response.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()
    cookies = dict(header.split(";", 1)[0].strip().split("=", 1) for header in set_cookies)
    return Reply(response.status, cookies, text)


def connected(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds an established TCP connection to ``port`` on 127.0.0.1 (from /proc)."""
    sockets = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with suppress(OSError):  # closed meanwhile
                sockets.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    for line in table:
        fields = line.split()  # local address, remote address (hex ip:port), state (01: established), …, inode
        if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port and f"socket:[{fields[9]}]" in sockets:
            return True
    return False


def wait_until_serving(port: int, pull_port: int, processes: list[subprocess.Popen[bytes]], logs: list[Path]) -> None:
    """Wait until every process takes requests, then poll ``/login`` until it answers 200.

    A Listsurf process connects to Mongrel2's request socket (``pull_port``) once Mongrel2 has
    subscribed to its replies; from then on Mongrel2 hands it its share of the requests.  Early
    replies can still be lost while ZeroMQ connects, hence the polling.
    """
    deadline = time.monotonic() + START_TIMEOUT
    problem = "no answer"
    while time.monotonic() < deadline:
        for process, log in zip(processes, logs, strict=True):
            if process.poll() is not None:
                raise RuntimeError(f"listsurf exited with code {process.returncode}:\n{log_tail(log)}")
        waiting = [process.pid for process in processes if not connected(process.pid, pull_port)]
        if waiting:
            problem = f"process {', '.join(map(str, waiting))} not connected to Mongrel2 yet"
            time.sleep(0.1)
            continue
        try:
            reply = request(port, "GET", "/login", timeout=1)
            if reply.status == 200:
                return
            problem = f"status {reply.status}"
        except OSError as error:
            problem = str(error)
        time.sleep(0.1)
    raise RuntimeError(f"listsurf did not answer /login within {START_TIMEOUT:g}s ({problem})\n{log_tail(logs[0])}")


@contextmanager
def serving(data_dir: Path, workdir: Path, processes: int = 1) -> Iterator[Server]:
    """Mongrel2 on free ports with ``processes`` of ``python -m listsurf`` behind it (on the same
    handler ports, as ``SUITE_PROCESSES`` runs them), on the store in ``data_dir``."""
    port, pull_port, pub_port = distinct_ports(3)
    pull_addr, pub_addr = f"tcp://127.0.0.1:{pull_port}", f"tcp://127.0.0.1:{pub_port}"
    server_uuid = str(uuid.uuid4())
    mongrel2 = Mongrel2Server(single_handler_config(port, pull_addr, pub_addr, server_uuid), workdir, server_uuid, port)
    started: list[subprocess.Popen[bytes]] = []
    logs = [workdir / f"listsurf-{number}.log" for number in range(processes)]
    env = dict(
        _CHILD_ENV,
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        SUITE_DATA_DIR=str(data_dir),
        COOKIE_SECRET="bench-store-" + uuid.uuid4().hex,
        BRUBECK_PULL=pull_addr,
        BRUBECK_PUB=pub_addr,
        LOG_LEVEL="WARNING",
    )
    try:
        say(f"  starting mongrel2 on 127.0.0.1:{port} and {processes} × python -m listsurf…")
        workdir.mkdir(parents=True, exist_ok=True)
        mongrel2.start()
        for log in logs:
            with log.open("wb") as log_file:
                started.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "listsurf"],
                        cwd=ROOT,
                        env=env,
                        stdin=subprocess.DEVNULL,
                        stdout=log_file,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # Ctrl-C reaches only us; we stop it below
                    )
                )
        wait_until_serving(port, pull_port, started, logs)
        yield Server(port, [process.pid for process in started])
    finally:
        say("  stopping listsurf and mongrel2…")
        for process in started:
            stop_process(process)
        mongrel2.stop()


def log_in(server: Server, account: Account) -> None:
    """Sign in through the form, as a browser does; keep the cookies (session and CSRF)."""
    form = request(server.port, "GET", "/login")
    token = CSRF_INPUT.search(form.body)
    if form.status != 200 or not token:
        raise RuntimeError(f"GET /login answered {form.status} without a CSRF field")
    fields = {"username": account.name, "password": PASSWORD, CSRF_FIELD: token.group(1)}
    cookie = "; ".join(f"{k}={v}" for k, v in form.cookies.items())
    reply = request(server.port, "POST", "/login", cookie, fields)
    if reply.status != 302 or "session" not in reply.cookies:
        raise RuntimeError(f"logging {account.name} in answered {reply.status}: {reply.body[:200]}")
    account.cookie = "; ".join(f"{k}={v}" for k, v in {**form.cookies, **reply.cookies}.items())


def api_cursors(server: Server, account: Account, limit: int) -> Iterator[tuple[str, int]]:
    """Follow ``/api``'s ``next`` links: each next page's cursor, with how many links come before it."""
    path, seen = f"/api?limit={limit}", 0
    while True:
        reply = request(server.port, "GET", path, account.cookie)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} as {account.name} answered {reply.status}")
        data = json.loads(reply.body)
        seen += data["num_items"]
        if not data["next"]:
            return
        cursor = parse_qs(urlsplit(data["next"]).query)["cursor"][0]
        path = f"/api?limit={limit}&cursor={quote(cursor)}"
        yield cursor, seen


def deep_page(server: Server, account: Account) -> tuple[str, int]:
    """The big user's page after 9,000 links, the small user's last page: ``(path, links before it)``."""
    found = ("", 0)
    limit = 200 if len(account.links) > DEEP_AFTER else PAGE
    for found in api_cursors(server, account, limit):
        if found[1] >= DEEP_AFTER:
            break
    return f"/?before={quote(found[0])}", found[1]


def links_shown(reply: Reply) -> int:
    """How many links a dashboard page or an API answer holds."""
    if reply.body.startswith("{"):
        return int(json.loads(reply.body)["num_items"])
    return reply.body.count('action="/delete_item/')


def check(server: Server, target: Target, expected: int | None) -> int:
    """Fail unless the page answers 200 with links (``expected`` of them when given); how many it shows."""
    reply = request(server.port, "GET", target.path, target.account.cookie)
    shown = links_shown(reply) if reply.status == 200 else 0
    if reply.status != 200 or not shown or (expected is not None and shown != expected):
        raise RuntimeError(
            f"GET {target.path} as {target.account.name} answered {reply.status} with {shown} links"
            f" (expected {expected or 'some'}): {reply.body[:200]}"
        )
    return shown


def targets_for(server: Server, account: Account, word: str) -> list[Target]:
    """The four pages measured for ``account``, each checked once."""
    deep_path, after = deep_page(server, account)
    targets = [
        (Target("dashboard `/`", account, "/"), PAGE),
        (Target(f"search `/?q={word}`", account, f"/?q={word}"), None),
        (Target(f"`/api?limit={PAGE}`", account, f"/api?limit={PAGE}"), PAGE),
        (Target(f"deep page `/?before=…` after {after:,}", account, deep_path), min(PAGE, len(account.links) - after)),
    ]
    for target, expected in targets:
        shown = check(server, target, expected)
        say(f"  {account.name}: {target.path[:60]} shows {shown} links")
    return [target for target, _ in targets]


# -- measuring -------------------------------------------------------------------------------------------------


def settle(server: Server, account: Account) -> None:
    """Wait until the handler has worked off what an earlier run left queued (slow pages pile up).

    Settled: three ``/api?limit=1`` answers in a row within 20 ms each (a request that needs the
    database: a backlog of slow queries waits in the thread pool while ``/login`` answers at once).
    """
    started = time.monotonic()
    quick = 0
    while quick < 3:
        if time.monotonic() - started > SETTLE_TIMEOUT:
            raise RuntimeError(f"the server was still busy {SETTLE_TIMEOUT:g}s after the last run")
        sent = time.monotonic()
        try:
            ok = request(server.port, "GET", "/api?limit=1", account.cookie, timeout=SETTLE_TIMEOUT).status == 200
        except OSError:
            ok = False
        quick = quick + 1 if ok and time.monotonic() - sent < 0.02 else 0
    waited = time.monotonic() - started
    if waited > 1:
        say(f"  (waited {waited:.0f}s for the server to work off the requests queued by the last run)")


def one_client(server: Server, target: Target, args: argparse.Namespace) -> wrk.WrkResult:
    """One client at a time, after a warm-up; with the handler's CPU time per request."""
    settle(server, target.account)
    return wrk.one_client(server.url(target.path), args.duration, args.warmup, target.headers, server.cpu_seconds)


def under_load(server: Server, target: Target, args: argparse.Namespace) -> tuple[wrk.WrkResult, wrk.WrkResult]:
    """20 clients on the page while one more requests ``/login``, inside the load's window: (page, login)."""
    settle(server, target.account)
    return wrk.beside_load(server.url(target.path), target.headers, LOAD_CLIENTS, args.duration, server.url("/login"))


@dataclass
class Results:
    alone: wrk.WrkResult | None = None
    alone_links: int = 0
    query_ms: dict[str, float] = field(default_factory=dict)  # "alone", "all", "big"
    single: dict[Target, wrk.WrkResult] = field(default_factory=dict)
    loaded: dict[int, dict[Target, tuple[wrk.WrkResult, wrk.WrkResult]]] = field(default_factory=dict)  # by processes
    fill_s: float = 0.0
    store_mb: float = 0.0
    word: str = ""
    word_matches: dict[str, int] = field(default_factory=dict)  # links matching it, by account


def measure_single(server: Server, targets: list[Target], args: argparse.Namespace, results: Results) -> None:
    for number, target in enumerate(targets, 1):
        say(f"[1 client {number}/{len(targets)}] {target.account.name} {target.path[:60]}…")
        result = results.single[target] = one_client(server, target, args)
        say(f"  p50 {p50(result)}, p99 {p99(result)}")


def measure_loaded(server: Server, targets: list[Target], args: argparse.Namespace, results: Results) -> None:
    loaded = results.loaded[len(server.pids)] = {}
    for number, target in enumerate(targets, 1):
        say(
            f"[{LOAD_CLIENTS} clients, {processes(len(server.pids))} {number}/{len(targets)}] "
            f"{target.account.name} {target.path[:60]} + /login…"
        )
        page, login = loaded[target] = under_load(server, target, args)
        say(f"  p99 {p99(page)} at {page.requests_per_s:,.0f} requests/s; /login p99 {p99(login)}")


# -- the report -------------------------------------------------------------------------------------------------


def ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


def latency(result: wrk.WrkResult, value: float | None) -> str:
    """A percentile, or what stands for it when no request was answered within wrk's 2 s timeout."""
    if result.errors.get("timeout") and not value:
        return "> 2 s (timeouts)"
    return ms(value if result.requests else None)


def p50(result: wrk.WrkResult) -> str:
    return latency(result, result.p50_ms)


def p99(result: wrk.WrkResult) -> str:
    return latency(result, result.p99_ms)


def cpu(result: wrk.WrkResult) -> str:
    return f"{result.cpu_us['server'] / 1000:.2f} ms" if "server" in result.cpu_us else "n/a"


def processes(count: int) -> str:
    return {1: "one Listsurf process", 2: "two Listsurf processes"}.get(count, f"{count} Listsurf processes")


def mark(met: bool) -> str:
    return "yes" if met else "**no**"


def clean(result: wrk.WrkResult) -> bool:
    return not result.errors


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_lines(started: datetime.datetime) -> list[str]:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    m2 = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "mongrel2-core"], capture_output=True, text=True)
    return [
        f"date: {started.isoformat(timespec='seconds')}",
        f"machine: {cpu_model()}, {cores} cores, {platform.system()} {platform.release()}",
        f"software: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Mongrel2 {m2.stdout.strip() or 'unknown'}, {wrk.version()}",
    ]


def single_table(results: Results) -> list[str]:
    lines = [
        f"| page, one client at a time | user | p50 | p99 | handler CPU per request | p99 < {P99_GOAL_MS:g} ms |",
        "|---|---|---:|---:|---:|:---:|",
    ]
    for target, result in results.single.items():
        met = clean(result) and result.p99_ms < P99_GOAL_MS
        lines.append(
            f"| {target.page} | {target.account.label} | {p50(result)} | {p99(result)} | {cpu(result)} | {mark(met)} |"
        )
    return lines


def loaded_table(results: Results, count: int) -> list[str]:
    lines = [
        f"| page, {LOAD_CLIENTS} clients, {processes(count)} | user | p50 | p99 | requests/s | `/login` p99 meanwhile "
        f"| `/login` p99 < {LOGIN_GOAL_MS:g} ms |",
        "|---|---|---:|---:|---:|---:|:---:|",
    ]
    for target, (page, login) in results.loaded[count].items():
        met = clean(login) and login.p99_ms < LOGIN_GOAL_MS
        lines.append(
            f"| {target.page} | {target.account.label} | {p50(page)} | {p99(page)} "
            f"| {page.requests_per_s:,.0f} | {p99(login)} | {mark(met)} |"
        )
    return lines


def independence(results: Results, small: Account, big: Account) -> tuple[list[str], bool | None]:
    """The small user's dashboard with only its links in the store, then among 50,000; the big user's beside.

    Judged on the handler's CPU time per request, which other busy processes sway less than latency.
    """
    together = next((r for t, r in results.single.items() if t.account is small and t.path == "/"), None)
    big_page = next((r for t, r in results.single.items() if t.account is big and t.path == "/"), None)
    rows = [
        (f"small user, store holding only its {results.alone_links:,} links", results.alone, "alone"),
        (f"small user, store holding all {TOTAL_LINKS:,} links", together, "all"),
        (f"big user ({len(big.links):,} links)", big_page, "big"),
    ]
    lines = [
        f"| dashboard `/`, one client | p50 | p99 | handler CPU per request | `list_links` alone "
        f"(median of {QUERY_ROUNDS}, in turns) |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, result, key in rows:
        query = ms(results.query_ms.get(key))
        lines.append(
            f"| {label} | {p50(result) if result else 'n/a'} | {p99(result) if result else 'n/a'} "
            f"| {cpu(result) if result else 'n/a'} | {query} |"
        )
    if not (results.alone and together and "server" in results.alone.cpu_us and "server" in together.cpu_us):
        return lines, None
    return lines, together.cpu_us["server"] <= results.alone.cpu_us["server"] * 1.25


def report(
    results: Results, small: Account, big: Account, args: argparse.Namespace, started: datetime.datetime
) -> None:
    say("")
    for line in machine_lines(started):
        say(line)
    say(
        f"store: SQLite (WAL), {USERS} users, {TOTAL_LINKS:,} links ({results.store_mb:.0f} MB), filled in "
        f"{results.fill_s:.0f}s through store.links.upsert; one listsurf process behind Mongrel2"
        + "".join(
            f", then {processes(count)} for the {LOAD_CLIENTS}-client runs" for count in results.loaded if count > 1
        )
        + "; "
        f"wrk --latency, {args.duration:g}s a run after a {args.warmup:g}s warm-up (1 client: -t1 -c1; "
        f"{LOAD_CLIENTS} clients: -t2 -c{LOAD_CLIENTS}, /login by one more client -t1 -c1)"
    )
    matches = ", ".join(f"{count:,} of {name}'s links" for name, count in results.word_matches.items())
    say(f"search word: {results.word!r} (in {matches}); load average after the run: {load_average()} (1, 5, 15 min)")
    say("")
    for line in single_table(results):
        say(line)
    say("")
    for count in results.loaded:
        for line in loaded_table(results, count):
            say(line)
        say("")
    lines, independent = independence(results, small, big)
    for line in lines:
        say(line)
    say("")
    for target, result in results.single.items():
        if result.errors:
            say(f"note: {target.account.name} {target.path[:60]} (1 client): wrk errors {result.errors}")
    for count, loaded in results.loaded.items():
        for target, (page, login) in loaded.items():
            for name, result in (("page", page), ("/login", login)):
                if result.errors:
                    where = f"{LOAD_CLIENTS} clients, {processes(count)}, {name}"
                    say(f"note: {target.account.name} {target.path[:60]} ({where}): {result.errors}")
    single_met = sum(clean(r) and r.p99_ms < P99_GOAL_MS for r in results.single.values())
    say(f"goal p99 < {P99_GOAL_MS:g} ms, one client at a time: met for {single_met} of {len(results.single)} pages")
    for count, loaded in results.loaded.items():
        login_met = sum(clean(login) and login.p99_ms < LOGIN_GOAL_MS for _, login in loaded.values())
        worst_login = max((login.p99_ms for _, login in loaded.values()), default=0.0)
        say(
            f"goal /login p99 < {LOGIN_GOAL_MS:g} ms under {LOAD_CLIENTS} clients, {processes(count)}: met in "
            f"{login_met} of {len(loaded)} runs (worst {ms(worst_login)})"
        )
    if independent is not None:
        say(
            "goal page time independent of other users' links (small user's dashboard, CPU per request within 25%): "
            + ("met" if independent else "NOT met")
        )


# -- the run ----------------------------------------------------------------------------------------------------


def fill_alone(store: SQLiteStore, accounts: list[Account], small: Account, folder: Path, results: Results) -> None:
    """Every account, and only the small one's links (kept as a copy, to compare with later)."""
    create_accounts(store, accounts)
    say(f"[fill 1/2] {small.name}'s links alone…")
    results.fill_s = fill(store, small.links, small.name)
    results.alone_links = len(small.links)
    snapshot(store.database.path, folder / "alone" / SQLITE_FILE)


def measure_alone(server: Server, small: Account, args: argparse.Namespace, results: Results) -> None:
    log_in(server, small)
    alone = Target("dashboard `/`", small, "/")
    check(server, alone, PAGE)
    say(f"[alone] {small.name}'s dashboard, the store holding only its links…")
    results.alone = one_client(server, alone, args)
    say(f"  p50 {p50(results.alone)}, p99 {p99(results.alone)}")


def fill_rest(store: SQLiteStore, accounts: list[Account], small: Account, folder: Path, results: Results) -> None:
    """The other accounts' links; then the data layer alone, on the copy and on the full store in turns."""
    others = [link for account in accounts if account is not small for link in account.links]
    say(f"[fill 2/2] the other {len(accounts) - 1} accounts' {len(others):,} links…")
    results.fill_s += fill(store, others, "others")
    results.store_mb = sum(f.stat().st_size for f in store.database.path.parent.glob(SQLITE_FILE + "*")) / 1e6
    say(f"[data layer] list_links in turns: {small.name} alone, {small.name} among all, {accounts[0].name}…")
    alone_store = SQLiteStore(folder / "alone" / SQLITE_FILE)
    try:
        cases = {"alone": (alone_store, small), "all": (store, small), "big": (store, accounts[0])}
        results.query_ms = query_times(cases)
    finally:
        alone_store.close()


def run(args: argparse.Namespace, folder: Path, results: Results) -> tuple[Account, Account]:
    """Fill, serve, measure; the small and big accounts."""
    say("[data] making 50 accounts and their links (seeded)…")
    accounts = make_accounts(curtime())
    big, small = accounts[0], median_account(accounts)
    results.word = search_word(big)
    results.word_matches = {a.name: prefix_counts(a.links)[results.word] for a in (big, small)}
    store = SQLiteStore(folder / "data" / SQLITE_FILE)
    try:
        fill_alone(store, accounts, small, folder, results)
        with serving(folder / "data", folder / "mongrel2") as server:
            measure_alone(server, small, args, results)
            fill_rest(store, accounts, small, folder, results)
            store.close()
            log_in(server, big)
            say("[pages] finding the deep pages and checking every page…")
            targets = targets_for(server, big, results.word) + targets_for(server, small, results.word)
            measure_single(server, targets, args, results)
            measure_loaded(server, targets, args, results)
    finally:
        store.close()
    if args.processes > 1:
        say(f"[{processes(args.processes)}] the {LOAD_CLIENTS}-client runs again…")
        with serving(folder / "data", folder / f"mongrel2-{args.processes}", args.processes) as server:
            for account in (big, small):
                log_in(server, account)  # a new server, a new cookie secret
            measure_loaded(server, targets, args, results)
    return small, big


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=5, help="whole seconds of each wrk run (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="whole seconds of warm-up before each 1-client run")
    parser.add_argument(
        "--processes",
        type=int,
        default=2,
        help=f"Listsurf processes for a second round of the {LOAD_CLIENTS}-client runs (default 2; 1: no second round)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the data folder (store, logs) and print where")
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 120:
        parser.error("--duration must be between 0 and 120 seconds")
    if not 0 <= args.warmup <= 30:
        parser.error("--warmup must be between 0 and 30 seconds")
    if not 1 <= args.processes <= 8:
        parser.error("--processes must be between 1 and 8")
    return args


def _terminate(signum: int, frame: object) -> None:
    print(f"\n{signal.Signals(signum).name}: stopping", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)  # unwinds through every finally: processes stopped, folder removed


def begin(script: str) -> bool | None:
    """What a store benchmark does first: None (said why) when wrk or Mongrel2 is missing; else stop on
    SIGTERM, say the load average, and whether the machine is busy (returned)."""
    checks = ((wrk.available(), wrk.WRK_MISSING), (m2sh.available(), m2sh.MONGREL2_MISSING))
    missing = [text for ok, text in checks if not ok]
    if missing:
        print(f"{script} cannot run:\n  " + "\n  ".join(missing), file=sys.stderr)
        return None
    signal.signal(signal.SIGTERM, _terminate)
    say(f"load average before the run: {load_average()} (other busy processes skew the numbers)")
    busy = os.getloadavg()[0] > BUSY_LOAD
    if busy:
        say(f"warning: the machine is busy (1-minute load above {BUSY_LOAD:g}); the numbers will be high and noisy")
    return busy


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.datetime.now().astimezone()
    busy = begin("bench/store.py")
    if busy is None:
        return 2
    clock = time.monotonic()
    folder = Path(tempfile.mkdtemp(prefix="brubeck-bench-store-"))
    results = Results()
    try:
        small, big = run(args, folder, results)
    except KeyboardInterrupt:
        print("\ninterrupted; every process was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
        print(f"bench/store.py failed: {error}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            say(f"data folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    report(results, small, big, args, started)
    if busy:
        say(f"warning: the machine was busy when the run began (load above {BUSY_LOAD:g}): measure again when idle")
    say(f"total time: {time.monotonic() - clock:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
