"""Readify on the embedded store at 50,000 links: page and API times through Mongrel2, loaded with wrk.

    .venv/bin/python -m bench.readify [--duration 5] [--warmup 1] [--data DIR]

1. Fill a fresh SQLite store through ``readify.store``'s ``add``: 50 accounts, one with 10,000
   links, 49 sharing 40,000 (the counts, titles, URLs and times of bench.store), each link with
   0 to 5 tags drawn from 39 (Zipf-like), some liked, private, archived or in the trash (seeded).
2. Time the ``readify.links`` call behind each page for the big user in this process (the data
   layer alone).
3. Serve it: one Mongrel2 on free ports with ``python -m readify.web`` behind ``readify.localhost``
   and ``python -m readify.api`` behind ``api.readify.localhost``, as the suite runs them.
4. For the big user: the dashboard, a two-tag filter, a search, ``/tags`` and the public profile
   (web), ``GET /links?limit=50`` and a deep cursor (API), one client at a time; then each with 20
   clients while one more client keeps asking the *other* process for something cheap (``/login``
   of the web process, ``GET /me`` of the API process).

Goals (issue 11): p99 under 20 ms for each page with one client; the cheap request of the other
process under 50 ms p99 while the 20 clients run.  Markdown tables for README end the run
(:mod:`bench.readify_report`).  ``--data DIR`` keeps the store and the logs in DIR, and a later run
with the same DIR reuses the store.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from bench import client, harness, listsurf_data, readify_data, readify_report, wrk
from bench.client import header_lines
from bench.harness import Route, Servers, say
from bench.listsurf_data import PAGE, PASSWORD, TOTAL_LINKS
from bench.readify_data import DEEP_AFTER, Reader, newest_first, reading_list
from bench.readify_report import LOAD_CLIENTS, QUERY_ROUNDS, Results, Side, Target
from bench.report import median_ms, p50, p99
from brubeck.timekeeping import curtime

WEB_HOST, API_HOST = "readify.localhost", "api.readify.localhost"


def mongrel2_config(port: int, server_uuid: str, routes: list[Route]) -> str:
    """One server, two hosts, one handler each (as conf/mongrel2.conf routes readify and its API)."""
    web, api = routes
    return f"""
web = Handler(send_spec='{web.pull}', send_ident='{uuid.uuid4()}', recv_spec='{web.pub}', recv_ident='')
api = Handler(send_spec='{api.pull}', send_ident='{uuid.uuid4()}', recv_spec='{api.pub}', recv_ident='')
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


@dataclass
class Readify:
    """The servers of a run: Mongrel2, and Readify's two processes behind it."""

    servers: Servers
    web: Side
    api: Side

    def other(self, side: Side) -> Side:
        return self.api if side is self.web else self.web


@contextmanager
def serving(data_dir: Path, workdir: Path) -> Iterator[Readify]:
    """Mongrel2 on free ports with ``python -m readify.web`` and ``python -m readify.api`` behind it."""
    with harness.serving(workdir) as servers:
        web_route, api_route = servers.start_mongrel2(2, mongrel2_config)
        env = harness.site_env(data_dir)
        web = Side(servers.start("web", "readify.web", route=web_route, env=env), "/login", {"Host": WEB_HOST})
        api = Side(servers.start("api", "readify.api", route=api_route, env=env), "/me", {"Host": API_HOST})
        port = servers.port  # ready: the web process's cheap request, and the API's index (it needs no key)
        servers.wait_until_serving(
            lambda: client.problem(port, "/login", web.headers) or client.problem(port, "/", api.headers)
        )
        yield Readify(servers, web, api)


def sign_in(readify: Readify, account: Reader) -> None:
    """The web session through the login form (cookies kept), and an API key from ``POST /tokens``."""
    port, api = readify.servers.port, readify.api
    account.cookie = client.sign_in(port, account.name, PASSWORD, readify.web.headers)
    credentials = json.dumps({"username": account.name, "password": PASSWORD})
    reply = client.fetch(port, "/tokens", "POST", {**api.headers, "Content-Type": "application/json"}, credentials)
    if reply.status != 200 and reply.status != 201:
        raise RuntimeError(f"POST /tokens for {account.name} answered {reply.status}: {reply.body[:200]}")
    account.token = reply.json()["token"]
    api.headers["Authorization"] = f"Token {account.token}"


def targets(readify: Readify, big: Reader, tags: tuple[str, str], word: str) -> list[Target]:
    """The requests measured for the big user, the API's signed with its key."""
    web, api, port = readify.web, readify.api, readify.servers.port
    cookie = {**web.headers, "Cookie": big.cookie}
    shown = reading_list(big)
    tagged = [link for link in shown if set(tags) <= set(link.tags)]
    found = [link for link in shown if any(w.startswith(word) for w in readify_data.words_of(link))]
    public = newest_first([link for link in big.links if not link.private and link.deleted_at is None])
    everything = newest_first([link for link in big.links if link.deleted_at is None])

    def next_page(cursor: str | None) -> str | None:
        path = "/links?limit=200" + (f"&cursor={quote(cursor)}" if cursor else "")
        reply = client.fetch(port, path, headers=api.headers)
        if reply.status != 200:
            raise RuntimeError(f"GET {path} answered {reply.status}: {reply.body[:200]}")
        return client.next_cursor(reply)

    deep = readify_data.deep_cursor(next_page)
    two = "&".join(f"tag={tag}" for tag in tags)
    return [
        Target("dashboard `/`", web, "/", cookie, shown[0].url),
        Target(f"two-tag filter `/?{two}`", web, f"/?{two}", cookie, tagged[0].url),
        Target(f"search `/?q={word}`", web, f"/?q={word}", cookie, found[0].url),
        Target("`/tags`", web, "/tags", cookie, tags[1]),
        Target(f"public profile `/{big.name}`", web, f"/{big.name}", dict(web.headers), public[0].url),
        Target(f"API `GET /links?limit={PAGE}`", api, f"/links?limit={PAGE}", dict(api.headers), everything[0].id),
        Target(
            f"API deep cursor (after {DEEP_AFTER:,})",
            api,
            f"/links?limit={PAGE}&cursor={quote(deep)}",
            dict(api.headers),
            everything[DEEP_AFTER].id,
        ),
    ]


def check(readify: Readify, target: Target) -> None:
    reply = client.fetch(readify.servers.port, target.path, headers=target.headers)
    if reply.status != 200 or target.expect not in reply.body:
        raise RuntimeError(f"GET {target.path} answered {reply.status} without {target.expect!r}: {reply.body[:300]}")


def settle(readify: Readify, side: Side) -> None:
    harness.settle(readify.servers.port, side.cheap, side.headers, side.name)


def one_client(readify: Readify, target: Target, args: argparse.Namespace) -> wrk.WrkResult:
    settle(readify, target.side)
    url, headers = readify.servers.url(target.path), header_lines(target.headers)
    return wrk.one_client(url, args.duration, args.warmup, headers, target.side.handler.cpu_seconds)


def under_load(readify: Readify, target: Target, args: argparse.Namespace) -> tuple[wrk.WrkResult, wrk.WrkResult]:
    """20 clients on the page while one more asks the other process for its cheap request: (page, cheap)."""
    other = readify.other(target.side)
    settle(readify, target.side)
    settle(readify, other)
    url, other_url = readify.servers.url(target.path), readify.servers.url(other.cheap)
    headers, other_headers = header_lines(target.headers), header_lines(other.headers)
    return wrk.beside_load(url, headers, LOAD_CLIENTS, args.duration, other_url, other_headers)


def fill(data: Path, accounts: list[Reader], results: Results) -> None:
    """Fill the store in ``data``, or reuse it; then time the data layer alone."""
    filled = listsurf_data.store_file(data).exists()
    store = listsurf_data.open_store(data)
    try:
        took = data / "fill_seconds"  # how long the fill took, for a run that reuses the store
        if filled:
            say(f"[fill] reusing the store in {data}")
            results.fill_s = float(took.read_text()) if took.exists() else 0.0
        else:
            say(f"[fill] {TOTAL_LINKS:,} links, one by one…")
            results.fill_s = readify_data.fill(store, accounts)
            took.write_text(f"{results.fill_s:.1f}")
        results.store_mb = listsurf_data.store_mb(data)
        big = accounts[0]
        say(f"[data layer] readify.links for {big.name}, {QUERY_ROUNDS} rounds in turns…")
        results.query_ms = median_ms(readify_data.page_calls(store, big, results.tags, results.word), QUERY_ROUNDS)
        for key, value in results.query_ms.items():
            say(f"  {key}: {value:.2f} ms")
    finally:
        store.close()


def measure(args: argparse.Namespace, folder: Path) -> list[str]:
    """Fill, serve, measure; the report."""
    started = datetime.datetime.now().astimezone()
    results = Results(load_before=harness.load_average())
    say("[data] making 50 accounts and their Readify links (seeded)…")
    accounts = readify_data.make_accounts(curtime())
    big = accounts[0]
    results.tags = readify_data.filter_tags(big)
    results.tag_matches = sum(set(results.tags) <= set(link.tags) for link in reading_list(big))
    results.word = listsurf_data.search_word(big.links)  # in titles and URLs, as Listsurf's
    fill(folder / "data", accounts, results)
    with serving(folder / "data", folder / "mongrel2") as readify:
        sign_in(readify, big)
        say("[pages] checking every page…")
        measured = targets(readify, big, results.tags, results.word)
        for target in measured:
            check(readify, target)
        for number, target in enumerate(measured, 1):
            say(f"[1 client {number}/{len(measured)}] {target.path[:70]}")
            result = results.single[target] = one_client(readify, target, args)
            say(f"  p50 {p50(result)}, p99 {p99(result)}")
        for number, target in enumerate(measured, 1):
            say(f"[{LOAD_CLIENTS} clients {number}/{len(measured)}] {target.path[:60]} + the other process")
            page, cheap = results.loaded[target] = under_load(readify, target, args)
            say(f"  p99 {p99(page)} at {page.requests_per_s:,.0f}/s; other process p99 {p99(cheap)}")
    return readify_report.lines(results, big, args, started)


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
    return harness.run("bench.readify", lambda folder: measure(args, folder), folder=args.data)


if __name__ == "__main__":
    sys.exit(main())
