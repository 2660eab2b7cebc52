"""Fixtures of the unit tests: ``store``, each test run on both stores (SQLite, and MongoDB on mongomock)."""

from __future__ import annotations

from collections.abc import Iterator
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
