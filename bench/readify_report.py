"""What :mod:`bench.readify` measures (its requests, the processes that answer them, its results and goals)
and the report it prints."""

from __future__ import annotations

import argparse
import datetime
from dataclasses import dataclass, field

from bench import wrk
from bench.harness import Handler, load_average
from bench.listsurf_data import TOTAL_LINKS, USERS
from bench.readify_data import Reader, reading_list
from bench.report import cpu, machine_lines, mark, met, ms, p50, p99, table

LOAD_CLIENTS = 20
P99_GOAL_MS = 20.0
CHEAP_GOAL_MS = 50.0
QUERY_ROUNDS = 100  # calls of each page's data layer timed in this process


@dataclass
class Side:
    """One of Readify's two processes: its handler, its cheap request, what every request to it sends."""

    handler: Handler
    cheap: str  # asked by one more client while the other process is loaded
    headers: dict[str, str]  # its Host; the API key, once signed in

    @property
    def name(self) -> str:
        return self.handler.name


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of the result tables
class Target:
    """One page or API request measured, on the process that answers it, with what it must show."""

    label: str
    side: Side
    path: str
    headers: dict[str, str]
    expect: str  # text the answer must hold (the first link's URL, or a tag)


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


def single_table(results: Results, big: Reader) -> list[str]:
    head = [f"{big.name} (10,000 links), one client at a time", "process", "p50", "p99", "requests/s"]
    head += ["handler CPU per request", "data layer alone (median)", f"p99 < {P99_GOAL_MS:g} ms"]
    queries = [ms(value) for value in results.query_ms.values()]
    rows = [
        [t.label, t.side.name, p50(r), p99(r), f"{r.requests_per_s:,.0f}", cpu(r)]
        + [queries[index] if index < len(queries) else "n/a", mark(met(r, P99_GOAL_MS))]
        for index, (t, r) in enumerate(results.single.items())
    ]
    return table(head, "llrrrrrc", rows)


def loaded_table(results: Results) -> list[str]:
    head = [f"{LOAD_CLIENTS} clients on", "process", "p50", "p99", "requests/s", "meanwhile on the other process"]
    head += ["its p99", f"< {CHEAP_GOAL_MS:g} ms"]
    rows = [
        [t.label, t.side.name, p50(page), p99(page), f"{page.requests_per_s:,.0f}"]
        + ["`GET /me` (api)" if t.side.name == "web" else "`/login` (web)", p99(cheap), mark(met(cheap, CHEAP_GOAL_MS))]
        for t, (page, cheap) in results.loaded.items()
    ]
    return table(head, "llrrrlrc", rows)


def notes(results: Results) -> list[str]:
    """What wrk counted as errors, then whether each goal was met."""
    lines = [f"note: {t.path[:60]} (1 client): wrk errors {r.errors}" for t, r in results.single.items() if r.errors]
    for t, (page, cheap) in results.loaded.items():
        for name, result in (("page", page), ("cheap request", cheap)):
            if result.errors:
                lines.append(f"note: {t.path[:60]} ({LOAD_CLIENTS} clients, {name}): wrk errors {result.errors}")
    single = sum(met(r, P99_GOAL_MS) for r in results.single.values())
    cheap_met = sum(met(cheap, CHEAP_GOAL_MS) for _, cheap in results.loaded.values())
    return [
        *lines,
        f"goal p99 < {P99_GOAL_MS:g} ms, one client at a time: met for {single} of {len(results.single)}",
        f"goal other process's cheap request p99 < {CHEAP_GOAL_MS:g} ms under {LOAD_CLIENTS} clients: "
        f"met in {cheap_met} of {len(results.loaded)} runs",
    ]


def lines(results: Results, big: Reader, args: argparse.Namespace, started: datetime.datetime) -> list[str]:
    """The report: the machine, the run, the tables for README, the notes and goals."""
    return [
        "",
        *machine_lines(started),
        f"store: SQLite (WAL), {USERS} users, {TOTAL_LINKS:,} Readify links ({results.store_mb:.0f} MB), "
        f"filled in {results.fill_s:.0f}s through readify.store's add; {big.name}: {len(big.links):,} links, "
        f"{len(reading_list(big)):,} in the reading list, two-tag filter {'+'.join(results.tags)} on "
        f"{results.tag_matches} of them, search word {results.word!r}; one readify.web and one readify.api "
        f"process behind one Mongrel2; wrk --latency, {args.duration:g}s a run (1 client: -t1 -c1 after a "
        f"{args.warmup:g}s warm-up; {LOAD_CLIENTS} clients: -t2 -c{LOAD_CLIENTS}, the other process's cheap "
        "request by one more client -t1 -c1)",
        f"load average before the run: {results.load_before}; after: {load_average()} (1, 5, 15 min)",
        "",
        *single_table(results, big),
        "",
        *loaded_table(results),
        "",
        *notes(results),
    ]
