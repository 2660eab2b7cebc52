"""Listsurf on the embedded store at 50,000 links: page times through Mongrel2, loaded with wrk.

    .venv/bin/python -m bench.store [--duration 5] [--warmup 1] [--processes 2] [--keep]

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
README end the run (:mod:`bench.store_report`).
"""

from __future__ import annotations

import argparse
import datetime
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from bench import client, harness, listsurf_data, store_report, wrk
from bench.harness import Servers, say
from bench.listsurf_data import PAGE, PASSWORD, Surfer
from bench.report import p50, p99
from bench.store_report import LOAD_CLIENTS, QUERY_ROUNDS, Results, Target, processes
from brubeck.timekeeping import curtime

DEEP_AFTER = 9_000  # the big user's deep page starts after this many links


@contextmanager
def listsurf(data_dir: Path, workdir: Path, count: int = 1) -> Iterator[Servers]:
    """Mongrel2 on free ports with ``count`` of ``python -m listsurf`` behind it (on the same handler
    ports, as ``SUITE_PROCESSES`` runs them), on the store in ``data_dir``."""
    with harness.serving(workdir) as servers:
        (route,) = servers.start_mongrel2()
        for number in range(1, count + 1):
            servers.start(f"listsurf-{number}", "listsurf", route=route, env=harness.site_env(data_dir))
        servers.wait_until_serving(lambda: client.problem(servers.port, "/login"))
        yield servers


def log_in(servers: Servers, account: Surfer) -> None:
    account.cookie = client.sign_in(servers.port, account.name, PASSWORD)


def deep_page(servers: Servers, account: Surfer) -> tuple[str, int]:
    """The big user's page after 9,000 links, the small user's last page: ``(path, links before it)``.

    Found by following ``/api``'s ``next`` links."""
    limit = 200 if len(account.links) > DEEP_AFTER else PAGE
    path, seen, found = f"/api?limit={limit}", 0, ("", 0)
    while seen < DEEP_AFTER:
        reply = client.fetch(servers.port, path, headers={"Cookie": account.cookie})
        if reply.status != 200:
            raise RuntimeError(f"GET {path} as {account.name} answered {reply.status}")
        seen += reply.json()["num_items"]
        cursor = client.next_cursor(reply)
        if cursor is None:
            break
        path, found = f"/api?limit={limit}&cursor={quote(cursor)}", (cursor, seen)
    return f"/?before={quote(found[0])}", found[1]


def links_shown(reply: client.Reply) -> int:
    """How many links a dashboard page or an API answer holds."""
    if reply.body.startswith("{"):
        return int(reply.json()["num_items"])
    return reply.body.count('action="/delete_item/')


def check(servers: Servers, target: Target, expected: int | None) -> int:
    """Fail unless the page answers 200 with links (``expected`` of them when given); how many it shows."""
    reply = client.fetch(servers.port, target.path, headers={"Cookie": target.account.cookie})
    shown = links_shown(reply) if reply.status == 200 else 0
    if reply.status != 200 or not shown or (expected is not None and shown != expected):
        raise RuntimeError(
            f"GET {target.path} as {target.account.name} answered {reply.status} with {shown} links"
            f" (expected {expected or 'some'}): {reply.body[:200]}"
        )
    return shown


def targets_for(servers: Servers, account: Surfer, word: str) -> list[Target]:
    """The four pages measured for ``account``, each checked once."""
    deep_path, after = deep_page(servers, account)
    targets = [
        (Target("dashboard `/`", account, "/"), PAGE),
        (Target(f"search `/?q={word}`", account, f"/?q={word}"), None),
        (Target(f"`/api?limit={PAGE}`", account, f"/api?limit={PAGE}"), PAGE),
        (Target(f"deep page `/?before=…` after {after:,}", account, deep_path), min(PAGE, len(account.links) - after)),
    ]
    for target, expected in targets:
        shown = check(servers, target, expected)
        say(f"  {account.name}: {target.path[:60]} shows {shown} links")
    return [target for target, _ in targets]


def settle(servers: Servers, account: Surfer) -> None:
    """Wait until the handlers have worked off what an earlier run left queued; asked with ``/api?limit=1``,
    which needs the database (a backlog of slow queries waits in the thread pool while ``/login`` answers)."""
    harness.settle(servers.port, "/api?limit=1", {"Cookie": account.cookie})


def one_client(servers: Servers, target: Target, args: argparse.Namespace) -> wrk.WrkResult:
    """One client at a time, after a warm-up; with the handlers' CPU time per request."""
    settle(servers, target.account)
    return wrk.one_client(servers.url(target.path), args.duration, args.warmup, target.headers, servers.cpu_seconds)


def under_load(servers: Servers, target: Target, args: argparse.Namespace) -> tuple[wrk.WrkResult, wrk.WrkResult]:
    """20 clients on the page while one more requests ``/login``, inside the load's window: (page, login)."""
    settle(servers, target.account)
    url, login = servers.url(target.path), servers.url("/login")
    return wrk.beside_load(url, target.headers, LOAD_CLIENTS, args.duration, login)


def measure_single(servers: Servers, targets: list[Target], args: argparse.Namespace, results: Results) -> None:
    for number, target in enumerate(targets, 1):
        say(f"[1 client {number}/{len(targets)}] {target.account.name} {target.path[:60]}…")
        result = results.single[target] = one_client(servers, target, args)
        say(f"  p50 {p50(result)}, p99 {p99(result)}")


def measure_loaded(servers: Servers, targets: list[Target], args: argparse.Namespace, results: Results) -> None:
    loaded = results.loaded[len(servers.handlers)] = {}
    for number, target in enumerate(targets, 1):
        say(
            f"[{LOAD_CLIENTS} clients, {processes(len(servers.handlers))} {number}/{len(targets)}] "
            f"{target.account.name} {target.path[:60]} + /login…"
        )
        page, login = loaded[target] = under_load(servers, target, args)
        say(f"  p99 {p99(page)} at {page.requests_per_s:,.0f} requests/s; /login p99 {p99(login)}")


def measure_alone(servers: Servers, small: Surfer, args: argparse.Namespace, results: Results) -> None:
    log_in(servers, small)
    alone = Target("dashboard `/`", small, "/")
    check(servers, alone, PAGE)
    say(f"[alone] {small.name}'s dashboard, the store holding only its links…")
    results.alone = one_client(servers, alone, args)
    say(f"  p50 {p50(results.alone)}, p99 {p99(results.alone)}")


def measure(args: argparse.Namespace, folder: Path) -> list[str]:
    """Fill, serve, measure; the report."""
    started = datetime.datetime.now().astimezone()
    say("[data] making 50 accounts and their links (seeded)…")
    accounts = listsurf_data.make_accounts(curtime())
    big, small = accounts[0], listsurf_data.median_account(accounts)
    results = Results(alone_links=len(small.links), word=listsurf_data.search_word(big.links))
    results.word_matches = {a.name: listsurf_data.prefix_counts(a.links)[results.word] for a in (big, small)}
    data, copy = folder / "data", folder / "alone"
    store = listsurf_data.open_store(data)
    try:
        results.fill_s = listsurf_data.fill_alone(store, accounts, small, copy)
        with listsurf(data, folder / "mongrel2") as servers:
            measure_alone(servers, small, args, results)
            results.fill_s += listsurf_data.fill_rest(store, accounts, small)
            results.store_mb = listsurf_data.store_mb(data)
            results.query_ms = listsurf_data.first_page_ms(store, copy, small, big, QUERY_ROUNDS)
            store.close()
            log_in(servers, big)
            say("[pages] finding the deep pages and checking every page…")
            targets = targets_for(servers, big, results.word) + targets_for(servers, small, results.word)
            measure_single(servers, targets, args, results)
            measure_loaded(servers, targets, args, results)
    finally:
        store.close()
    if args.processes > 1:
        say(f"[{processes(args.processes)}] the {LOAD_CLIENTS}-client runs again…")
        with listsurf(data, folder / f"mongrel2-{args.processes}", args.processes) as servers:
            for account in (big, small):
                log_in(servers, account)  # a new server, a new cookie secret
            measure_loaded(servers, targets, args, results)
    return store_report.lines(results, small, big, args, started)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
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


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run("bench.store", lambda folder: measure(args, folder), keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
