"""The embedded store: one SQLite file shared by every process of the suite on this machine.

:mod:`.database` holds the file, its connections and transactions; the
accounts' records have a module each; a site's records come as
:class:`~shared.store.records.Records` kinds, their tables made on first use.
Every query is bounded by an index; search uses FTS5.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

from ..records import Records
from .database import SQLiteDatabase
from .login_failures import SQLiteLoginFailures
from .schema import ACCOUNTS
from .tokens import SQLiteTokens
from .users import SQLiteUsers

__all__ = ["SQLiteDatabase", "SQLiteStore"]

R = TypeVar("R")


class SQLiteStore:
    """The embedded store in ``path`` (created, or its accounts' tables migrated, on opening)."""

    def __init__(self, path: Path) -> None:
        self.database = SQLiteDatabase(path)
        self.database.migrate(ACCOUNTS)
        self.users = SQLiteUsers(self.database)
        self.tokens = SQLiteTokens(self.database)
        self.login_failures = SQLiteLoginFailures(self.database)
        self._records: dict[str, Any] = {}

    def records(self, kind: Records[R]) -> R:
        """The repository of ``kind``, its schema brought up to date on first use."""
        if kind.name not in self._records:
            self.database.migrate(kind.schema)
            self._records[kind.name] = kind.sqlite(self.database)
        found: R = self._records[kind.name]
        return found

    def close(self) -> None:
        self.database.close()
