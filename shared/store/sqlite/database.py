"""The embedded store's file: its connections (one per thread), its transactions, and its schemas' versions.

WAL mode lets readers and one writer work at once across processes; each
write is one ``BEGIN IMMEDIATE`` transaction, so a request that fails (or a
process killed) halfway leaves nothing behind.  Calls run in the coroutine
library's thread pool, so a query never stalls the other requests of the
process.  Each part of the suite (the accounts, each site) brings its own
:class:`~shared.store.records.Schema`, versioned on its own in the
``schema_versions`` table and brought up to date when first used.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from brubeck import concurrency

from ..interfaces import Unavailable
from ..records import Schema

T = TypeVar("T")
Row = tuple[Any, ...]


class SQLiteDatabase:
    """The file, its connections (one per thread) and its transactions."""

    def __init__(self, path: Path, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._connections: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        self._current: set[str] = set()  # the schemas known to be up to date
        path.parent.mkdir(parents=True, exist_ok=True)

    def _connection(self) -> sqlite3.Connection:
        thread = threading.get_native_id()  # the OS thread: the pool's threads each keep one connection
        connection = self._connections.get(thread)
        if connection is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")  # durable at each checkpoint; WAL keeps it consistent
            connection.execute("PRAGMA foreign_keys = ON")
            with self._lock:
                self._connections[thread] = connection
        return connection

    def call(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` in the thread pool; database errors become :class:`Unavailable`."""

        def run() -> T:
            try:
                return work(self._connection())
            except sqlite3.OperationalError as error:
                raise Unavailable(str(error)) from error

        result: T = concurrency.run_in_thread(run)
        return result

    def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work(connection)`` as one write transaction: committed whole, or not at all."""

        def transaction(connection: sqlite3.Connection) -> T:
            with self.transaction(connection):
                return work(connection)

        return self.call(transaction)

    def change(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> int:
        """One statement in its own write transaction; how many rows it changed."""
        return self.write(lambda connection: int(connection.execute(sql, parameters).rowcount))

    def one(self, sql: str, parameters: Sequence[Any] = ()) -> Row | None:
        """The first row ``sql`` reads, or None."""
        row: Row | None = self.call(lambda connection: connection.execute(sql, parameters).fetchone())
        return row

    def rows(self, sql: str, parameters: Sequence[Any] = ()) -> list[Row]:
        """Every row ``sql`` reads."""
        return self.call(lambda connection: connection.execute(sql, parameters).fetchall())

    @staticmethod
    @contextmanager
    def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed whole, or rolled back."""
        connection.execute("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    def migrate(self, schema: Schema) -> None:
        """Bring ``schema`` up to date in the file (once a process; one process migrates, the others wait)."""
        if schema.name not in self._current:
            self.write(lambda connection: _migrate(connection, schema, self.path))
            self._current.add(schema.name)

    def close(self) -> None:
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            connection.close()


def _migrate(connection: sqlite3.Connection, schema: Schema, path: Path) -> None:
    connection.execute("CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)")
    row = connection.execute("SELECT version FROM schema_versions WHERE name = ?", (schema.name,)).fetchone()
    if row is not None:
        version = int(row[0])
    else:  # a file from before each part versioned its own schema: what its one version number says
        suite_version = connection.execute("PRAGMA user_version").fetchone()[0]
        version = sum(1 for number in schema.legacy if number <= suite_version)
    if version > len(schema.migrations):
        raise RuntimeError(
            f"{path} has version {version} of the {schema.name} schema; this code knows {len(schema.migrations)}"
        )
    for script in schema.migrations[version:]:
        for statement in _statements(script):
            connection.execute(statement)
    connection.execute(
        "INSERT INTO schema_versions (name, version) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET version = excluded.version",
        (schema.name, len(schema.migrations)),
    )


def _statements(script: str) -> list[str]:
    """The statements of a script (``executescript`` would commit the open transaction)."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


def search_expression(owner: str, words: tuple[str, ...], columns: str = "title url") -> str:
    """An FTS5 query: the owner's rows with a word starting with each word in one of ``columns``.

    The full-text table has an ``owner_token`` column, ``'o' || hex(owner)``.  Each word is a quoted string
    (FTS5 syntax in it is text); a NUL, which would end FTS5's string, is a space.
    """
    terms = ['"' + word.replace('"', '""').replace("\0", " ") + '"*' for word in words]
    return f"owner_token : o{owner.encode().hex().upper()} AND " + " AND ".join(f"{{{columns}}} : {t}" for t in terms)


def row_of(values: dict[str, Any], columns: Sequence[str]) -> Row:
    """``values`` (a model's dump) in the order of ``columns``."""
    return tuple(values[column] for column in columns)


def insert_sql(table: str, columns: Sequence[str]) -> str:
    """``INSERT INTO table (columns) VALUES (?, …)``."""
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
