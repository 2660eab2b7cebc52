"""The store on either engine, for the data layer's contract tests: ``either_store`` (SQLite, then MongoDB
on mongomock) and ``query_plan`` (how SQLite would run a query on the current schemas)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import mongomock
import pytest

from shared.store import Records, Store
from shared.store.mongo import ACCOUNT_INDEXES, MongoStore
from shared.store.sqlite import SQLiteStore


@pytest.fixture(params=["sqlite", "mongo"])
def either_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A new store on each engine in turn (a test module names it ``store`` with a fixture of its own)."""
    opened: Store = (
        SQLiteStore(tmp_path / "suite.sqlite3")
        if request.param == "sqlite"
        else MongoStore(mongomock.MongoClient().suite)
    )
    yield opened
    opened.close()


@pytest.fixture
def query_plan(tmp_path: Path) -> Callable[..., str]:
    """``query_plan(sql, *kinds)``: SQLite's EXPLAIN QUERY PLAN of ``sql``, in one line, on a new file with the
    accounts' tables and those of ``kinds`` (:class:`~shared.store.records.Records`)."""
    path = tmp_path / "plan.sqlite3"

    def plan(query: str, *kinds: Records[Any]) -> str:
        store = SQLiteStore(path)
        for kind in kinds:
            store.records(kind)
        store.close()
        with sqlite3.connect(path) as connection:
            return " ".join(row[-1] for row in connection.execute("EXPLAIN QUERY PLAN " + query))

    return plan


def assert_mongo_indexes(kind: Records[Any] | None = None) -> None:
    """A new MongoDB store (on mongomock) has the accounts' indexes, and once ``kind`` is used, its own."""
    database = mongomock.MongoClient().suite
    store = MongoStore(database)
    wanted = dict(ACCOUNT_INDEXES)
    if kind is not None:
        store.records(kind)
        wanted = dict(kind.indexes)
    for collection, indexes in wanted.items():
        present = [[name for name, _ in info["key"]] for info in database[collection].index_information().values()]
        for keys, _ in indexes:
            assert [name for name, _ in keys] in present, (collection, keys)
