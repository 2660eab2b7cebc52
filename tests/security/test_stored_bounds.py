"""What one anonymous client can make the suite store (issue "Hardening, second round", item 1): the login
form's username is bounded before it reaches storage, and a refused attempt stores nothing new."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from shared.store import Store
from shared.throttle import ADDRESS_LIMIT
from tests.support.inprocess import AccountBrowser

HUGE = 1024 * 1024


def failure_rows(store: Store) -> list[tuple[str, int]]:
    with sqlite3.connect(store.database.path) as connection:  # type: ignore[attr-defined]
        return [(key, count) for key, count in connection.execute("SELECT key, count FROM login_failures")]


def test_a_huge_username_is_not_stored(visitor: AccountBrowser, store: Store) -> None:
    for n in range(10):
        response = visitor.log_in(f"{n}" + "x" * HUGE, "whatever-password")
        assert response.status in (401, 429)
    rows = failure_rows(store)
    assert max(len(key) for key, _ in rows) <= 100
    assert sum(len(key) for key, _ in rows) < 1000


def test_once_an_address_is_refused_new_names_store_nothing(
    browser: Callable[..., AccountBrowser], store: Store
) -> None:
    guesser = browser(remote_addr="203.0.113.9")
    for n in range(ADDRESS_LIMIT):
        assert guesser.log_in(f"name{n}", "whatever-password").status == 401
    before = failure_rows(store)
    for n in range(20):
        assert guesser.log_in(f"other{n}", "whatever-password").status == 429
    assert failure_rows(store) == before  # refused: not a row more, not a count more
