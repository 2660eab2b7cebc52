"""What a benchmark prints: wrk's figures in words, Markdown tables, the machine; and medians of timed calls."""

from __future__ import annotations

import datetime
import os
import platform
import sqlite3
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from bench import wrk

_RULES = {"l": "---", "r": "---:", "c": ":---:"}


def table(head: Sequence[str], align: str, rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table, each column aligned as its letter in ``align`` says: ``l``, ``r`` or ``c``."""
    rule = "|" + "|".join(_RULES[letter] for letter in align) + "|"
    return [_row(head), rule, *map(_row, rows)]


def _row(cells: Sequence[str]) -> str:
    return f"| {' | '.join(cells)} |"


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


def met(result: wrk.WrkResult, goal_ms: float) -> bool:
    """p99 under the goal, without wrk counting an error."""
    return not result.errors and result.p99_ms < goal_ms


def mark(ok: bool) -> str:
    return "yes" if ok else "**no**"


def median_ms(calls: Mapping[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median milliseconds of each call over ``rounds``, the calls taking turns (so that other processes'
    load sways them alike)."""
    times: dict[str, list[float]] = {key: [] for key in calls}
    for _ in range(rounds):
        for key, call in calls.items():
            started = time.perf_counter()
            call()
            times[key].append(time.perf_counter() - started)
    return {key: statistics.median(values) * 1000 for key, values in times.items()}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def cores() -> int | None:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def mongrel2_version() -> str | None:
    """The installed ``mongrel2-core`` package's version, if dpkg knows it."""
    try:
        found = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "mongrel2-core"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else None


def machine_lines(started: datetime.datetime) -> list[str]:
    """When and where a store benchmark ran."""
    return [
        f"date: {started.isoformat(timespec='seconds')}",
        f"machine: {cpu_model()}, {cores()} cores, {platform.system()} {platform.release()}",
        f"software: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"Mongrel2 {mongrel2_version() or 'unknown'}, {wrk.version()}",
    ]
