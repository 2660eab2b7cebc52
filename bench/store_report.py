"""What :mod:`bench.store` measures (its pages, its results, its goals) and the report it prints."""

from __future__ import annotations

import argparse
import datetime
from dataclasses import dataclass, field

from bench import wrk
from bench.harness import load_average
from bench.listsurf_data import BIG_USER, TOTAL_LINKS, USERS, Surfer
from bench.report import cpu, machine_lines, mark, met, ms, p50, p99, table

LOAD_CLIENTS = 20
P99_GOAL_MS = 20.0
LOGIN_GOAL_MS = 50.0
QUERY_ROUNDS = 200  # list_links calls timed in this process, for the data layer's share of a page


@dataclass(frozen=True)
class Target:
    """One page measured for one account."""

    page: str
    account: Surfer
    path: str

    @property
    def headers(self) -> list[str]:
        return [f"Cookie: {self.account.cookie}"]


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


def label(account: Surfer) -> str:
    kind = "big" if account.name == BIG_USER else "small"
    return f"{kind} ({len(account.links):,} links)"


def processes(count: int) -> str:
    return {1: "one Listsurf process", 2: "two Listsurf processes"}.get(count, f"{count} Listsurf processes")


def single_table(results: Results) -> list[str]:
    head = ["page, one client at a time", "user", "p50", "p99", "handler CPU per request", f"p99 < {P99_GOAL_MS:g} ms"]
    rows = [
        [t.page, label(t.account), p50(r), p99(r), cpu(r), mark(met(r, P99_GOAL_MS))] for t, r in results.single.items()
    ]
    return table(head, "llrrrc", rows)


def loaded_table(results: Results, count: int) -> list[str]:
    head = [f"page, {LOAD_CLIENTS} clients, {processes(count)}", "user", "p50", "p99", "requests/s"]
    head += ["`/login` p99 meanwhile", f"`/login` p99 < {LOGIN_GOAL_MS:g} ms"]
    rows = [
        [t.page, label(t.account), p50(page), p99(page), f"{page.requests_per_s:,.0f}", p99(login)]
        + [mark(met(login, LOGIN_GOAL_MS))]
        for t, (page, login) in results.loaded[count].items()
    ]
    return table(head, "llrrrrc", rows)


def independence(results: Results, small: Surfer, big: Surfer) -> tuple[list[str], bool | None]:
    """The small user's dashboard with only its links in the store, then among 50,000; the big user's beside.

    Judged on the handler's CPU time per request, which other busy processes sway less than latency.
    """
    together = next((r for t, r in results.single.items() if t.account is small and t.path == "/"), None)
    big_page = next((r for t, r in results.single.items() if t.account is big and t.path == "/"), None)
    cases = [
        (f"small user, store holding only its {results.alone_links:,} links", results.alone, "alone"),
        (f"small user, store holding all {TOTAL_LINKS:,} links", together, "all"),
        (f"big user ({len(big.links):,} links)", big_page, "big"),
    ]
    head = ["dashboard `/`, one client", "p50", "p99", "handler CPU per request"]
    head.append(f"`list_links` alone (median of {QUERY_ROUNDS}, in turns)")
    rows = [
        [name, *((p50(r), p99(r), cpu(r)) if r else ("n/a",) * 3), ms(results.query_ms.get(key))]
        for name, r, key in cases
    ]
    lines = table(head, "lrrrr", rows)
    if not (results.alone and together and "server" in results.alone.cpu_us and "server" in together.cpu_us):
        return lines, None
    return lines, together.cpu_us["server"] <= results.alone.cpu_us["server"] * 1.25


def notes(results: Results) -> list[str]:
    """What wrk counted as errors, then whether each goal was met."""
    lines = [
        f"note: {t.account.name} {t.path[:60]} (1 client): wrk errors {r.errors}"
        for t, r in results.single.items()
        if r.errors
    ]
    for count, loaded in results.loaded.items():
        for t, (page, login) in loaded.items():
            for name, result in (("page", page), ("/login", login)):
                if result.errors:
                    where = f"{LOAD_CLIENTS} clients, {processes(count)}, {name}"
                    lines.append(f"note: {t.account.name} {t.path[:60]} ({where}): {result.errors}")
    single_met = sum(met(r, P99_GOAL_MS) for r in results.single.values())
    lines.append(
        f"goal p99 < {P99_GOAL_MS:g} ms, one client at a time: met for {single_met} of {len(results.single)} pages"
    )
    for count, loaded in results.loaded.items():
        login_met = sum(met(login, LOGIN_GOAL_MS) for _, login in loaded.values())
        worst_login = max((login.p99_ms for _, login in loaded.values()), default=0.0)
        lines.append(
            f"goal /login p99 < {LOGIN_GOAL_MS:g} ms under {LOAD_CLIENTS} clients, {processes(count)}: met in "
            f"{login_met} of {len(loaded)} runs (worst {ms(worst_login)})"
        )
    return lines


def lines(
    results: Results, small: Surfer, big: Surfer, args: argparse.Namespace, started: datetime.datetime
) -> list[str]:
    """The report: the machine, the run, the tables for README, the notes and goals."""
    again = "".join(f", then {processes(n)} for the {LOAD_CLIENTS}-client runs" for n in results.loaded if n > 1)
    matches = ", ".join(f"{count:,} of {name}'s links" for name, count in results.word_matches.items())
    independent_lines, independent = independence(results, small, big)
    out = ["", *machine_lines(started)]
    out.append(
        f"store: SQLite (WAL), {USERS} users, {TOTAL_LINKS:,} links ({results.store_mb:.0f} MB), filled in "
        f"{results.fill_s:.0f}s through listsurf.store's upsert; one listsurf process behind Mongrel2{again}; "
        f"wrk --latency, {args.duration:g}s a run after a {args.warmup:g}s warm-up (1 client: -t1 -c1; "
        f"{LOAD_CLIENTS} clients: -t2 -c{LOAD_CLIENTS}, /login by one more client -t1 -c1)"
    )
    out.append(
        f"search word: {results.word!r} (in {matches}); load average after the run: {load_average()} (1, 5, 15 min)"
    )
    for block in (single_table(results), *(loaded_table(results, n) for n in results.loaded), independent_lines):
        out += ["", *block]
    out += ["", *notes(results)]
    if independent is not None:
        out.append(
            "goal page time independent of other users' links (small user's dashboard, CPU per request within 25%): "
            + ("met" if independent else "NOT met")
        )
    return out
