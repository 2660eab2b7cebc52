"""The suite's data layer: ``open_store()`` gives the SQLite store, or MongoDB when MONGODB_URL is set.

Both keep to the interfaces of :mod:`shared.store.interfaces`.  The record
modules (``shared.users``, ``shared.tokens``, ``shared.links``,
``shared.throttle``, ``shared.profiles``, ``shared.readify_links``) are what handlers call.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pymongo
import pymongo.errors

from brubeck import concurrency
from conf import settings

from .interfaces import LinkQuery, ReadifyQuery, Store, Unavailable, UrlTaken
from .mongo import MongoStore, ensure_indexes
from .sqlite import SQLiteStore

__all__ = ["UNAVAILABLE", "LinkQuery", "ReadifyQuery", "Store", "Unavailable", "UrlTaken", "open_store"]

log = logging.getLogger("shared.store")

UNAVAILABLE: tuple[type[BaseException], ...] = (Unavailable, pymongo.errors.ConnectionFailure)
"""Errors that mean the database cannot be reached or used right now (answered with 503)."""

SQLITE_FILE = "suite.sqlite3"
OLD_STORE_DIR = "db"  # where montydb, the embedded store before SQLite, kept its data


def open_store(url: str | None = None, data_dir: Path | None = None, timeout_ms: int = 3000) -> Store:
    """The store of ``url`` (default MONGODB_URL), else the SQLite file under ``data_dir`` (default var/)."""
    url = url if url is not None else settings.MONGODB_URL
    if url:
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        )
        store = MongoStore(client.get_default_database(default="brubeck_suite"), client)
        _create_indexes(store)
        return store
    folder = data_dir or settings.DATA_DIR
    _warn_about_old_data(folder)
    return SQLiteStore(folder / SQLITE_FILE)


def _create_indexes(store: MongoStore) -> None:
    """Create MongoDB's indexes now or, while the server is down, keep trying in the background."""

    def attempt() -> bool:
        try:
            ensure_indexes(store.database)
        except pymongo.errors.ConnectionFailure as error:
            log.error("MongoDB unreachable, indexes not created yet: %s", error)
            return False
        return True

    def retry() -> None:
        while not attempt():
            concurrency.sleep(5)

    if not attempt():
        concurrency.spawn(retry)


def _warn_about_old_data(folder: Path) -> None:
    old = folder / OLD_STORE_DIR
    if (old / "monty.storage.cfg").exists():
        log.warning(
            "%s holds data of the suite's old embedded store (montydb), which this version does not read: "
            "the suite uses the SQLite store in %s, without the accounts and links saved before. "
            "Move the old folder away to silence this: mv %s %s.montydb-old",
            old,
            folder / SQLITE_FILE,
            old,
            old,
        )
