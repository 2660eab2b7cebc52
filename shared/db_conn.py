"""The suite's database: MongoDB when MONGODB_URL is set, else an embedded store.

``connect()`` returns a pymongo-compatible database.  The embedded store is
montydb on SQLite under var/db, shared by every process of the suite; its
writes take a file lock so that two processes updating one document at once
lose nothing (montydb's own read-modify-write is not atomic across
processes).  Code that uses the database keeps to the API both have.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import montydb.errors
import pymongo
import pymongo.errors

from brubeck import concurrency
from conf import settings

log = logging.getLogger("shared.db_conn")

DATABASE_NAME = "brubeck_suite"

DuplicateKeyError = (pymongo.errors.DuplicateKeyError, montydb.errors.DuplicateKeyError)
"""Catch this tuple when inserting a document whose ``_id`` may exist."""

UnavailableError = (
    pymongo.errors.ConnectionFailure,
    pymongo.errors.ServerSelectionTimeoutError,
    sqlite3.OperationalError,
)
"""Errors that mean the database cannot be reached or used right now."""

# Collections and their indexes, created once at start-up.
INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {
    "users": [([("email", 1)], {"sparse": True})],
    "tokens": [([("owner", 1), ("created_at", -1)], {})],
    "login_failures": [([("expires_at", 1)], {})],
    "links": [([("owner", 1), ("updated_at", -1)], {}), ([("owner", 1), ("url", 1)], {"unique": True})],
}

_WRITES = frozenset(
    {
        "insert_one",
        "insert_many",
        "update_one",
        "update_many",
        "replace_one",
        "delete_one",
        "delete_many",
        "find_one_and_update",
        "find_one_and_replace",
        "find_one_and_delete",
    }
)


class _FileLock:
    """An exclusive lock shared by every process (fcntl) and thread."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._thread_lock = threading.RLock()

    @contextmanager
    def held(self) -> Iterator[None]:
        with self._thread_lock, open(self._path, "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


class _LockedCollection:
    """A montydb collection whose writes hold the store's file lock."""

    def __init__(self, collection: Any, lock: _FileLock) -> None:
        self._collection = collection
        self._lock = lock

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._collection, name)
        if name not in _WRITES:
            return attribute

        def locked(*args: Any, **kwargs: Any) -> Any:
            with self._lock.held():
                return attribute(*args, **kwargs)

        return locked


class EmbeddedDatabase:
    """The embedded store, with pymongo's ``db.name`` / ``db["name"]`` access."""

    def __init__(self, path: Path) -> None:
        from montydb import MontyClient, set_storage

        path.mkdir(parents=True, exist_ok=True)
        self._lock = _FileLock(path / ".write.lock")
        with self._lock.held():
            if not (path / "monty.storage.cfg").exists():
                set_storage(str(path), storage="sqlite")
            self._database = MontyClient(str(path))[DATABASE_NAME]
            existing = set(self._database.list_collection_names())
            for name in INDEXES:
                if name not in existing:  # montydb cannot create a table two processes race for
                    self._database.create_collection(name)
        self.path = path

    def __getitem__(self, name: str) -> _LockedCollection:
        return _LockedCollection(self._database[name], self._lock)

    def __getattr__(self, name: str) -> _LockedCollection:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def list_collection_names(self) -> list[str]:
        names: list[str] = self._database.list_collection_names()
        return names


def connect(url: str | None = None, data_dir: Path | None = None, timeout_ms: int = 3000) -> Any:
    """The database for ``url`` (default MONGODB_URL) or the embedded store.

    ``timeout_ms`` bounds how long a MongoDB operation waits for the server.
    """
    url = url if url is not None else settings.MONGODB_URL
    if url:
        client: pymongo.MongoClient[dict[str, Any]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        )
        return client.get_default_database(default=DATABASE_NAME)
    return EmbeddedDatabase((data_dir or settings.DATA_DIR) / "db")


def ensure_indexes(db: Any) -> bool:
    """Create the suite's indexes (MongoDB); False, logged, if the database is down."""
    if isinstance(db, EmbeddedDatabase):
        return True  # montydb has no secondary indexes; its collections exist already
    try:
        for collection, indexes in INDEXES.items():
            for keys, options in indexes:
                db[collection].create_index(keys, **options)
    except UnavailableError as error:
        log.error("Database unreachable, indexes not created yet: %s", error)
        return False
    return True


def prepare(db: Any) -> None:
    """Create indexes now or, while the database is down, keep trying in the background."""
    if ensure_indexes(db):
        return

    def retry() -> None:
        while not ensure_indexes(db):
            concurrency.sleep(5)

    concurrency.spawn(retry)
