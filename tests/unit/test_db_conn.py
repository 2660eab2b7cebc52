"""shared.db_conn: the embedded store (montydb on SQLite) and an unreachable MongoDB."""

from __future__ import annotations

import logging
import multiprocessing
from pathlib import Path
from typing import Any

import pytest

from brubeck.testing import free_port
from shared import db_conn

WORKERS = 3
WRITES_PER_WORKER = 60
PROCESS_TIMEOUT_S = 120


@pytest.fixture
def store(tmp_path: Path) -> Any:
    return db_conn.connect(url="", data_dir=tmp_path)


def test_embedded_store_round_trip(store: Any) -> None:
    store.things.insert_one({"_id": "a", "title": "first", "n": 1})
    assert store.things.find_one({"_id": "a"}) == {"_id": "a", "title": "first", "n": 1}

    result = store.things.update_one({"_id": "a"}, {"$set": {"title": "second"}, "$inc": {"n": 2}})
    assert result.matched_count == 1
    assert store.things.find_one({"_id": "a"}) == {"_id": "a", "title": "second", "n": 3}

    store.things.insert_one({"_id": "b", "title": "other", "n": 0})
    assert sorted(d["_id"] for d in store.things.find({"n": {"$gt": 0}})) == ["a"]

    assert store.things.delete_one({"_id": "a"}).deleted_count == 1
    assert store.things.find_one({"_id": "a"}) is None
    assert [d["_id"] for d in store.things.find()] == ["b"]


def test_embedded_store_is_shared_by_connections_to_one_folder(tmp_path: Path) -> None:
    db_conn.connect(url="", data_dir=tmp_path).things.insert_one({"_id": "kept"})
    again = db_conn.connect(url="", data_dir=tmp_path)
    assert again.things.find_one({"_id": "kept"}) == {"_id": "kept"}
    assert (tmp_path / "db").is_dir()


def test_suite_collections_exist_from_the_start(store: Any) -> None:
    assert set(db_conn.INDEXES) <= set(store.list_collection_names())


def test_duplicate_id_raises_duplicate_key_error(store: Any) -> None:
    store.users.insert_one({"_id": "alice", "email": None})
    with pytest.raises(db_conn.DuplicateKeyError):
        store.users.insert_one({"_id": "alice", "email": "someone@example.com"})
    assert store.users.find_one({"_id": "alice"}) == {"_id": "alice", "email": None}
    assert store.users.count_documents({}) == 1


def _write_concurrently(data_dir: str, worker: int, start: Any) -> None:
    """One process: distinct inserts and ``$inc`` on the shared counter, as fast as it can."""
    db = db_conn.connect(url="", data_dir=Path(data_dir))
    start.wait(PROCESS_TIMEOUT_S)
    for i in range(WRITES_PER_WORKER):
        db.things.insert_one({"_id": f"w{worker}-{i}", "worker": worker})
        db.counters.update_one({"_id": "shared"}, {"$inc": {"n": 1}})


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    db = db_conn.connect(url="", data_dir=tmp_path)
    db.counters.insert_one({"_id": "shared", "n": 0})
    db.things.insert_one({"_id": "before"})
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    processes = [
        context.Process(target=_write_concurrently, args=(str(tmp_path), worker, start)) for worker in range(WORKERS)
    ]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join(PROCESS_TIMEOUT_S)
            assert process.exitcode == 0, f"writer {process.name} ended with {process.exitcode}"
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
                process.join()

    expected = {"before"} | {f"w{w}-{i}" for w in range(WORKERS) for i in range(WRITES_PER_WORKER)}
    assert {d["_id"] for d in db.things.find()} == expected
    assert db.counters.find_one({"_id": "shared"})["n"] == WORKERS * WRITES_PER_WORKER


def test_ensure_indexes_on_the_embedded_store(store: Any) -> None:
    assert db_conn.ensure_indexes(store) is True


def test_ensure_indexes_on_unreachable_mongodb_logs_and_returns_false(caplog: pytest.LogCaptureFixture) -> None:
    db = db_conn.connect(f"mongodb://127.0.0.1:{free_port()}/suite_test", timeout_ms=200)
    assert db.name == "suite_test"
    with caplog.at_level(logging.ERROR, logger="shared.db_conn"):
        assert db_conn.ensure_indexes(db) is False
    errors = [r for r in caplog.records if r.name == "shared.db_conn" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "Database unreachable" in errors[0].getMessage()
    assert errors[0].exc_info is None  # one clear line, no traceback


def test_unreachable_mongodb_raises_an_unavailable_error_on_use() -> None:
    db = db_conn.connect(f"mongodb://127.0.0.1:{free_port()}/suite_test", timeout_ms=200)
    with pytest.raises(db_conn.UnavailableError):
        db.users.find_one({"_id": "alice"})
