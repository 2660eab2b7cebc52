"""shared.throttle.LoginThrottle on the SQLite store, with a fake clock."""

from __future__ import annotations

from pathlib import Path

import gevent
import pytest

from shared import throttle
from shared.store.sqlite import SQLiteStore
from shared.throttle import (
    ACCOUNT_LIMIT,
    ADDRESS_LIMIT,
    MAX_DELAY_SECONDS,
    PAIR_LIMIT,
    SLOW_AFTER,
    WINDOW_MS,
    Attempt,
    LoginThrottle,
)

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
def store(tmp_path: Path) -> SQLiteStore:
    return SQLiteStore(tmp_path / "suite.sqlite3")


@pytest.fixture
def guard(store: SQLiteStore, clock: Clock) -> LoginThrottle:
    return LoginThrottle(store)


def fail(guard: LoginThrottle, times: int, username: str = "alice", address: str = ADDRESS) -> list[Attempt]:
    """``times`` attempts whose passwords were wrong (counted, never given back)."""
    return [guard.attempt(username, address) for _ in range(times)]


def test_attempts_up_to_slow_after_are_not_delayed(guard: LoginThrottle) -> None:
    for attempt in fail(guard, SLOW_AFTER):
        assert attempt.verdict == throttle.Verdict(False, 0.0, 0)


def test_then_the_delay_grows_and_past_the_limit_attempts_are_refused(guard: LoginThrottle) -> None:
    fail(guard, SLOW_AFTER)
    delays = [attempt.verdict.delay for attempt in fail(guard, PAIR_LIMIT - SLOW_AFTER)]
    assert delays[0] > 0
    assert delays == sorted(delays) and len(set(delays)) == len(delays)  # strictly growing
    assert max(delays) <= MAX_DELAY_SECONDS
    refused = guard.attempt("alice", ADDRESS).verdict
    assert refused == throttle.Verdict(True, 0.0, WINDOW_MS // 1000)


def test_the_delay_is_capped(guard: LoginThrottle, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "PAIR_LIMIT", 100)
    fail(guard, SLOW_AFTER + 20)
    verdict = guard.attempt("alice", ADDRESS).verdict
    assert not verdict.refused and verdict.delay == MAX_DELAY_SECONDS


def test_retry_after_counts_down(guard: LoginThrottle, clock: Clock) -> None:
    fail(guard, PAIR_LIMIT)
    clock.advance(60_000)
    verdict = guard.attempt("alice", ADDRESS).verdict
    assert verdict.refused and verdict.retry_after_s == (WINDOW_MS - 60_000) // 1000


def test_usernames_are_counted_case_insensitively(guard: LoginThrottle) -> None:
    fail(guard, PAIR_LIMIT // 2, username="Alice")
    fail(guard, PAIR_LIMIT - PAIR_LIMIT // 2, username=" alice ")
    assert guard.attempt("ALICE", ADDRESS).verdict.refused


def test_an_attackers_address_does_not_lock_the_owner_out(guard: LoginThrottle) -> None:
    fail(guard, PAIR_LIMIT + 5)  # refused from the attacker's address
    assert guard.attempt("alice", ADDRESS).verdict.refused
    owner = guard.attempt("alice", "192.0.2.1")  # the owner, from an address that has not failed
    assert owner.verdict == throttle.Verdict(False, 0.0, 0)


def test_one_address_guessing_many_accounts_is_stopped(guard: LoginThrottle) -> None:
    for i in range(ADDRESS_LIMIT):
        assert not guard.attempt(f"user{i}", ADDRESS).verdict.refused
    assert guard.attempt("fresh", ADDRESS).verdict.refused
    assert not guard.attempt("fresh", "192.0.2.1").verdict.refused  # another address is not held back


def test_many_addresses_guessing_one_account_are_stopped(guard: LoginThrottle) -> None:
    for i in range(ACCOUNT_LIMIT):
        assert not guard.attempt("alice", f"10.0.{i // 250}.{i % 250}").verdict.refused
    assert guard.attempt("alice", "192.0.2.1").verdict.refused


def test_a_success_gives_its_attempt_back_and_clears_the_pair(guard: LoginThrottle, store: SQLiteStore) -> None:
    fail(guard, SLOW_AFTER + 1)
    guard.succeeded(guard.attempt("Alice", ADDRESS))
    live = store.login_failures.live
    assert live([f"pair:{ADDRESS}|alice"], START_MS) == []
    assert [count for count, _ in live([f"addr:{ADDRESS}"], START_MS)] == [SLOW_AFTER + 1]  # the failures stay
    assert guard.attempt("alice", ADDRESS).verdict == throttle.Verdict(False, 0.0, 0)


def test_successful_logins_do_not_use_up_a_shared_address(guard: LoginThrottle) -> None:
    for i in range(ADDRESS_LIMIT * 2):  # an office behind one address, everyone signing in
        attempt = guard.attempt(f"user{i}", ADDRESS)
        assert not attempt.verdict.refused
        guard.succeeded(attempt)


def test_attempts_expire_with_the_window(guard: LoginThrottle, clock: Clock, store: SQLiteStore) -> None:
    fail(guard, PAIR_LIMIT)
    clock.advance(WINDOW_MS - 1)
    assert guard.attempt("alice", ADDRESS).verdict.refused
    clock.advance(1)
    assert guard.attempt("alice", ADDRESS).verdict == throttle.Verdict(False, 0.0, 0)
    assert store.login_failures.live([f"pair:{ADDRESS}|alice"], clock.now) == [(1, clock.now + WINDOW_MS)]


def test_at_most_the_limit_is_let_through_however_many_arrive_at_once(guard: LoginThrottle) -> None:
    """40 attempts at the same moment: every one is counted before any is let through."""
    attempts = [gevent.spawn(guard.attempt, "alice", ADDRESS) for _ in range(40)]
    gevent.joinall(attempts, raise_error=True)
    let_through = [a.value for a in attempts if not a.value.verdict.refused]
    assert len(let_through) == PAIR_LIMIT


def test_counts_are_shared_through_the_database(guard: LoginThrottle, tmp_path: Path) -> None:
    other_process_view = LoginThrottle(SQLiteStore(tmp_path / "suite.sqlite3"))
    fail(guard, PAIR_LIMIT)
    assert other_process_view.attempt("alice", ADDRESS).verdict.refused


def test_wait_sleeps_for_the_delay_only(guard: LoginThrottle, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(throttle.concurrency, "sleep", slept.append)
    guard.wait(throttle.Verdict(False, 0.0, 0))
    assert slept == []
    guard.wait(throttle.Verdict(False, 0.5, 0))
    assert slept == [0.5]
