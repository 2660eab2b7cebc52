"""Waiting on a condition, rather than sleeping for a guessed time."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it is true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


def _cpu_ticks_if_asleep(pid: int) -> int | None:
    """The process's CPU time in clock ticks when every thread of it sleeps; ``None`` while one runs."""
    ticks = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # a thread that ended meanwhile
            continue
        if fields[0] not in ("S", "I"):
            return None
        ticks += int(fields[11]) + int(fields[12])
    return ticks


def wait_until_idle(pid: int, quiet: float = 0.5, timeout: float = 60.0) -> None:
    """Wait until process ``pid`` has slept, with no CPU time spent, for ``quiet`` seconds: it has done all
    it was given (a process starved of CPU by a busy machine is runnable, not asleep)."""
    deadline = time.monotonic() + timeout
    since, last = time.monotonic(), _cpu_ticks_if_asleep(pid)
    while time.monotonic() - since < quiet:
        if time.monotonic() > deadline:
            raise AssertionError(f"process {pid} still busy after {timeout}s")
        time.sleep(quiet / 10)
        now = _cpu_ticks_if_asleep(pid)
        if now is None or now != last:
            since, last = time.monotonic(), now
