"""The embedded store: one SQLite file shared by every process of the suite on this machine.

WAL mode lets readers and one writer work at once across processes; each
write is one ``BEGIN IMMEDIATE`` transaction, so a request that fails (or a
process killed) halfway leaves nothing behind.  The schema carries its
version (``PRAGMA user_version``); :data:`MIGRATIONS` bring an older file up
to date at start-up.  Calls run in the coroutine library's thread pool, so a
query never stalls the other requests of the process; each thread keeps its
own connection.  Every query is bounded by an index; search uses FTS5.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from brubeck import concurrency

from ..models import ApiToken, Link, User
from .interfaces import LinkQuery, Unavailable

T = TypeVar("T")

MIGRATIONS = [
    # 1: accounts, API tokens, failed logins, links and their full-text index.
    """
    CREATE TABLE users (
        id TEXT PRIMARY KEY, username TEXT NOT NULL, email TEXT, password_hash TEXT NOT NULL,
        is_active INTEGER NOT NULL, created_at INTEGER NOT NULL, last_login INTEGER,
        session_epoch INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE tokens (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
        created_at INTEGER NOT NULL, last_used_at INTEGER
    );
    CREATE INDEX tokens_by_owner ON tokens (owner, created_at DESC);
    CREATE TABLE login_failures (key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at INTEGER NOT NULL);
    CREATE INDEX login_failures_by_expiry ON login_failures (expires_at);
    CREATE TABLE links (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (owner, url)
    );
    CREATE INDEX links_newest_first ON links (owner, updated_at DESC, id DESC);
    CREATE VIRTUAL TABLE links_search USING fts5 (owner_token, title, url, tokenize = 'unicode61');
    CREATE TRIGGER links_search_insert AFTER INSERT ON links BEGIN
        INSERT INTO links_search (rowid, owner_token, title, url)
        VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url);
    END;
    CREATE TRIGGER links_search_update AFTER UPDATE OF title, url ON links BEGIN
        UPDATE links_search SET title = new.title, url = new.url WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER links_search_delete AFTER DELETE ON links BEGIN
        DELETE FROM links_search WHERE rowid = old.rowid;
    END;
    """,
]
"""The schema, one script per version: a file at version N gets scripts N+1… at start-up."""

USER_COLUMNS = ("id", "username", "email", "password_hash", "is_active", "created_at", "last_login", "session_epoch")
TOKEN_COLUMNS = ("id", "owner", "name", "prefix", "created_at", "last_used_at")
LINK_COLUMNS = ("id", "owner", "url", "title", "created_at", "updated_at")


def _search_expression(owner: str, words: tuple[str, ...]) -> str:
    """An FTS5 query: the owner's links whose title or URL has a word starting with each word."""
    terms = ['"' + word.replace('"', '""') + '"*' for word in words]
    return f"owner_token : o{owner.encode().hex().upper()} AND " + " AND ".join(f"{{title url}} : {t}" for t in terms)


class SQLiteDatabase:
    """The file, its connections (one per thread) and its transactions."""

    def __init__(self, path: Path, busy_timeout_ms: int = 5000) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self._connections: dict[int, sqlite3.Connection] = {}
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.call(self._migrate)

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

    def _migrate(self, connection: sqlite3.Connection) -> None:
        with self.transaction(connection):  # one process migrates; the others wait, then see the new version
            version = connection.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RuntimeError(f"{self.path} has schema version {version}; this code knows {len(MIGRATIONS)}")
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in _statements(script):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number}")

    def close(self) -> None:
        with self._lock:
            connections, self._connections = list(self._connections.values()), {}
        for connection in connections:
            connection.close()


def _statements(script: str) -> list[str]:
    """The statements of a script (``executescript`` would commit the open transaction)."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return statements


class SQLiteUsers:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def create(self, user: User) -> bool:
        values = user.model_dump()
        row = tuple(values[column] for column in USER_COLUMNS)

        def insert(connection: sqlite3.Connection) -> bool:
            with self.db.transaction(connection):
                inserted = connection.execute(
                    f"INSERT INTO users ({', '.join(USER_COLUMNS)}) VALUES ({', '.join('?' * len(row))})"
                    " ON CONFLICT (id) DO NOTHING",
                    row,
                )
                return inserted.rowcount == 1

        return self.db.call(insert)

    def get(self, user_id: str) -> User | None:
        def select(connection: sqlite3.Connection) -> Any:
            return connection.execute(
                f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE id = ?", (user_id,)
            ).fetchone()

        row = self.db.call(select)
        return User.model_validate(dict(zip(USER_COLUMNS, row, strict=True))) if row else None

    def _write(self, sql: str, parameters: tuple[Any, ...]) -> None:
        def write(connection: sqlite3.Connection) -> None:
            with self.db.transaction(connection):
                connection.execute(sql, parameters)

        self.db.call(write)

    def record_login(self, user_id: str, now: int) -> None:
        self._write("UPDATE users SET last_login = ? WHERE id = ?", (now, user_id))

    def bump_session_epoch(self, user_id: str) -> None:
        self._write("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", (user_id,))

    def count(self) -> int:
        return int(self.db.call(lambda connection: connection.execute("SELECT count(*) FROM users").fetchone()[0]))


class SQLiteTokens:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    @staticmethod
    def _token(row: Any) -> ApiToken:
        return ApiToken.model_validate(dict(zip(TOKEN_COLUMNS, row, strict=True)))

    def add(self, token: ApiToken) -> None:
        values = token.model_dump()
        row = tuple(values[column] for column in TOKEN_COLUMNS)

        def insert(connection: sqlite3.Connection) -> None:
            with self.db.transaction(connection):
                connection.execute(f"INSERT INTO tokens ({', '.join(TOKEN_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?)", row)

        self.db.call(insert)

    def get(self, token_id: str) -> ApiToken | None:
        sql = f"SELECT {', '.join(TOKEN_COLUMNS)} FROM tokens WHERE id = ?"
        row = self.db.call(lambda connection: connection.execute(sql, (token_id,)).fetchone())
        return self._token(row) if row else None

    def for_owner(self, owner: str) -> list[ApiToken]:
        sql = f"SELECT {', '.join(TOKEN_COLUMNS)} FROM tokens WHERE owner = ? ORDER BY created_at DESC"
        rows = self.db.call(lambda connection: connection.execute(sql, (owner,)).fetchall())
        return [self._token(row) for row in rows]

    def touch(self, token_id: str, now: int) -> None:
        def write(connection: sqlite3.Connection) -> None:
            with self.db.transaction(connection):
                connection.execute("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, token_id))

        self.db.call(write)

    def delete(self, owner: str, token_id: str) -> bool:
        def write(connection: sqlite3.Connection) -> bool:
            with self.db.transaction(connection):
                return (
                    connection.execute("DELETE FROM tokens WHERE id = ? AND owner = ?", (token_id, owner)).rowcount == 1
                )

        return self.db.call(write)


class SQLiteLinks:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    @staticmethod
    def _link(row: Any) -> Link:
        # Stored links were validated on their way in: reading them back skips that (most of a list page's time).
        return Link.model_construct(**dict(zip(LINK_COLUMNS, row, strict=True)))

    def upsert(self, link: Link) -> tuple[Link, bool]:
        values = link.model_dump()
        row = tuple(values[column] for column in LINK_COLUMNS)
        columns = ", ".join(LINK_COLUMNS)

        def write(connection: sqlite3.Connection) -> tuple[Any, bool]:
            with self.db.transaction(connection):
                created = (
                    connection.execute(
                        f"INSERT INTO links ({columns}) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING", row
                    ).rowcount
                    == 1
                )
                if not created:
                    connection.execute(
                        "UPDATE links SET updated_at = ?, title = CASE WHEN ? = '' THEN title ELSE ? END WHERE id = ?",
                        (link.updated_at, link.title, link.title, link.id),
                    )
                stored = connection.execute(f"SELECT {columns} FROM links WHERE id = ?", (link.id,)).fetchone()
                return stored, created

        stored, created = self.db.call(write)
        return self._link(stored), created

    def get(self, owner: str, link_id: str) -> Link | None:
        sql = f"SELECT {', '.join(LINK_COLUMNS)} FROM links WHERE id = ? AND owner = ?"
        row = self.db.call(lambda connection: connection.execute(sql, (link_id, owner)).fetchone())
        return self._link(row) if row else None

    def page(self, query: LinkQuery) -> list[Link]:
        conditions: list[str] = ["links.owner = ?"]
        parameters: list[Any] = [query.owner]
        if query.since is not None:
            conditions.append("links.updated_at > ?")
            parameters.append(query.since)
        if query.before is not None:
            conditions.append("(links.updated_at, links.id) < (?, ?)")
            parameters.extend(query.before)
        if query.words:  # the full-text index finds the rows first; a join would run the match once per row
            conditions.append("links.rowid IN (SELECT rowid FROM links_search WHERE links_search MATCH ?)")
            parameters.append(_search_expression(query.owner, query.words))
        sql = (
            f"SELECT {', '.join('links.' + c for c in LINK_COLUMNS)} FROM links WHERE {' AND '.join(conditions)}"
            " ORDER BY links.updated_at DESC, links.id DESC LIMIT ?"
        )
        parameters.append(query.limit)
        rows = self.db.call(lambda connection: connection.execute(sql, parameters).fetchall())
        return [self._link(row) for row in rows]

    def delete(self, owner: str, link_id: str) -> bool:
        def write(connection: sqlite3.Connection) -> bool:
            with self.db.transaction(connection):
                return (
                    connection.execute("DELETE FROM links WHERE id = ? AND owner = ?", (link_id, owner)).rowcount == 1
                )

        return self.db.call(write)

    def count(self, owner: str) -> int:
        sql = "SELECT count(*) FROM links WHERE owner = ?"
        return int(self.db.call(lambda connection: connection.execute(sql, (owner,)).fetchone()[0]))


class SQLiteLoginFailures:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def add(self, key: str, now: int, window_ms: int, by: int = 1) -> int:
        def write(connection: sqlite3.Connection) -> int:
            with self.db.transaction(connection):
                count = connection.execute(
                    "INSERT INTO login_failures (key, count, expires_at) VALUES (:key, :by, :expiry)"
                    " ON CONFLICT (key) DO UPDATE SET"
                    "   count = CASE WHEN expires_at > :now THEN count + :by ELSE :by END,"
                    "   expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE :expiry END"
                    " RETURNING count",
                    {"key": key, "now": now, "expiry": now + window_ms, "by": by},
                ).fetchone()[0]
                connection.execute("DELETE FROM login_failures WHERE expires_at <= ?", (now,))  # bounded: index
                return int(count)

        return self.db.call(write)

    def live(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        marks = ", ".join("?" * len(keys))
        sql = f"SELECT count, expires_at FROM login_failures WHERE key IN ({marks}) AND expires_at > ?"
        rows = self.db.call(lambda connection: connection.execute(sql, (*keys, now)).fetchall())
        return [(int(count), int(expires_at)) for count, expires_at in rows]

    def clear(self, key: str) -> None:
        def write(connection: sqlite3.Connection) -> None:
            with self.db.transaction(connection):
                connection.execute("DELETE FROM login_failures WHERE key = ?", (key,))

        self.db.call(write)


class SQLiteStore:
    """The embedded store in ``path`` (created, or migrated to the current schema, on opening)."""

    def __init__(self, path: Path) -> None:
        self.database = SQLiteDatabase(path)
        self.users = SQLiteUsers(self.database)
        self.tokens = SQLiteTokens(self.database)
        self.links = SQLiteLinks(self.database)
        self.login_failures = SQLiteLoginFailures(self.database)

    def close(self) -> None:
        self.database.close()
