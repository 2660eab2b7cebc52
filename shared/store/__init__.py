"""The suite's data layer: ``open_store(url, data_dir)`` gives MongoDB at ``url``, or the SQLite file in ``data_dir``.

Both keep to the interfaces of :mod:`shared.store.interfaces`; a site's own
records come as :class:`~shared.store.records.Records` kinds.  The record
modules (``shared.users``, ``shared.tokens``, ``shared.throttle``, a site's
``links``) are what handlers call.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pymongo
import pymongo.errors

from .interfaces import Store, Unavailable, UrlTaken
from .mongo import MongoStore
from .records import Records, Schema
from .sqlite import SQLiteStore

__all__ = ["UNAVAILABLE", "Records", "Schema", "Store", "Unavailable", "UrlTaken", "open_store"]

log = logging.getLogger("shared.store")

UNAVAILABLE: tuple[type[BaseException], ...] = (Unavailable, pymongo.errors.ConnectionFailure)
"""Errors that mean the database cannot be reached or used right now (answered with 503)."""

SQLITE_FILE = "suite.sqlite3"
OLD_STORE_DIR = "db"  # where montydb, the embedded store before SQLite, kept its data


def open_store(url: str | None, data_dir: Path, timeout_ms: int = 3000) -> Store:
    """MongoDB at ``url`` (a mongodb:// URL), or without one the SQLite file in ``data_dir``."""
    if url:
        client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
            url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms
        )
        return MongoStore(client.get_default_database(default="brubeck_suite"), client)
    _warn_about_old_data(data_dir)
    return SQLiteStore(data_dir / SQLITE_FILE)


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
