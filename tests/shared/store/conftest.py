"""Fixtures of the unit tests: ``store``, each test run on both stores (SQLite, and MongoDB on mongomock);
``query_plan``, how SQLite would run a query on the suite's schema."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import mongomock
import pytest

from shared.store import Store
from shared.store.mongo import MongoStore, ensure_indexes
from shared.store.sqlite import SQLiteStore


@pytest.fixture(params=["sqlite", "mongo"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "sqlite":
        opened: Store = SQLiteStore(tmp_path / "suite.sqlite3")
    else:
        database = mongomock.MongoClient().suite
        ensure_indexes(database)
        opened = MongoStore(database)
    yield opened
    opened.close()


@pytest.fixture
def query_plan(tmp_path: Path) -> Callable[[str], str]:
    """``query_plan(sql)``: SQLite's EXPLAIN QUERY PLAN of ``sql`` on a new file of the current schema, in one line."""
    path = tmp_path / "plan.sqlite3"
    SQLiteStore(path).close()

    def plan(query: str) -> str:
        with sqlite3.connect(path) as connection:
            return " ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + query))

    return plan
