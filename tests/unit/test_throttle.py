"""shared.throttle.LoginThrottle on the SQLite store, with a fake clock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared import throttle
from shared.store.sqlite import SQLiteStore
from shared.throttle import MAX_DELAY_SECONDS, REFUSE_AFTER, SLOW_AFTER, WINDOW_MS, LoginThrottle

START_MS = 1_700_000_000_000
ADDRESS = "198.51.100.7"


class Clock:
    """A settable ``curtime`` for shared.throttle."""

    def __init__(self) -> None:
        self.now = START_MS

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(throttle, "curtime", fake)
    return fake


@pytest.fixture
def db(tmp_path: Path) -> Any:
    return SQLiteStore(tmp_path / "suite.sqlite3")


@pytest.fixture
def guard(db: Any, clock: Clock) -> LoginThrottle:
    return LoginThrottle(db)


def fail(guard: LoginThrottle, times: int, username: str = "alice", address: str = ADDRESS) -> None:
    for _ in range(times):
        guard.failed(username, address)


def test_below_slow_after_there_is_no_delay(guard: LoginThrottle) -> None:
    for _ in range(SLOW_AFTER):
        verdict = guard.check("alice", ADDRESS)
        assert (verdict.refused, verdict.delay, verdict.retry_after_s) == (False, 0.0, 0)
        guard.failed("alice", ADDRESS)


def test_from_slow_after_the_delay_grows_then_refuses(guard: LoginThrottle) -> None:
    fail(guard, SLOW_AFTER)
    delays = []
    for _ in range(SLOW_AFTER, REFUSE_AFTER):
        verdict = guard.check("alice", ADDRESS)
        assert not verdict.refused
        delays.append(verdict.delay)
        guard.failed("alice", ADDRESS)
    assert delays[0] > 0
    assert delays == sorted(delays) and len(set(delays)) == len(delays)  # strictly growing
    assert max(delays) <= MAX_DELAY_SECONDS

    verdict = guard.check("alice", ADDRESS)
    assert verdict.refused
    assert verdict.delay == 0.0
    assert verdict.retry_after_s == WINDOW_MS // 1000


def test_the_delay_is_capped(guard: LoginThrottle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "REFUSE_AFTER", 100)
    fail(guard, SLOW_AFTER + 20)
    verdict = guard.check("alice", ADDRESS)
    assert not verdict.refused
    assert verdict.delay == MAX_DELAY_SECONDS


def test_retry_after_counts_down(guard: LoginThrottle, clock: Clock) -> None:
    fail(guard, REFUSE_AFTER)
    clock.advance(60_000)
    verdict = guard.check("alice", "")
    assert verdict.refused
    assert verdict.retry_after_s == (WINDOW_MS - 60_000) // 1000


def test_usernames_are_counted_case_insensitively(guard: LoginThrottle, db: Any) -> None:
    fail(guard, REFUSE_AFTER // 2, username="Alice")
    fail(guard, REFUSE_AFTER - REFUSE_AFTER // 2, username=" alice ", address="203.0.113.9")
    assert db.login_failures.live(["user:alice"], START_MS)[0][0] == REFUSE_AFTER
    assert guard.check("ALICE", "192.0.2.1").refused


def test_failures_from_one_address_count_across_usernames(guard: LoginThrottle) -> None:
    for i in range(REFUSE_AFTER):
        guard.failed(f"user{i}", ADDRESS)
    assert guard.check("fresh", ADDRESS).refused
    assert not guard.check("fresh", "192.0.2.1").refused  # another address is not held back
    assert guard.check("user0", "192.0.2.1") == throttle.Verdict(False, 0.0, 0)


def test_success_clears_the_username_but_not_the_address(guard: LoginThrottle, db: Any) -> None:
    fail(guard, SLOW_AFTER + 1)
    assert guard.check("alice", "").delay > 0
    guard.succeeded("Alice")
    assert db.login_failures.live(["user:alice"], START_MS) == []
    assert guard.check("alice", "") == throttle.Verdict(False, 0.0, 0)
    assert guard.check("alice", ADDRESS).delay > 0  # the address still made those attempts


def test_failures_expire_after_the_window(guard: LoginThrottle, clock: Clock, db: Any) -> None:
    fail(guard, REFUSE_AFTER)
    clock.advance(WINDOW_MS - 1)
    assert guard.check("alice", ADDRESS).refused
    clock.advance(1)
    assert guard.check("alice", ADDRESS) == throttle.Verdict(False, 0.0, 0)

    guard.failed("alice", ADDRESS)  # a new window starts from one
    assert db.login_failures.live(["user:alice"], clock.now) == [(1, clock.now + WINDOW_MS)]


def test_counts_are_shared_through_the_database(guard: LoginThrottle, db: Any, tmp_path: Path) -> None:
    other_process_view = LoginThrottle(SQLiteStore(tmp_path / "suite.sqlite3"))
    fail(guard, REFUSE_AFTER)
    assert other_process_view.check("alice", "").refused


def test_wait_sleeps_for_the_delay_only(guard: LoginThrottle, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(throttle.concurrency, "sleep", slept.append)
    guard.wait(throttle.Verdict(False, 0.0, 0))
    assert slept == []
    guard.wait(throttle.Verdict(False, 0.5, 0))
    assert slept == [0.5]
