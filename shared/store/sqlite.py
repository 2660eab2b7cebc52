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

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from brubeck import concurrency

from ..models import ApiToken, Link, Profile, ReadifyLink, Tombstone, User
from ..tags import replace_tag
from .interfaces import LinkQuery, ReadifyQuery, Unavailable, UrlTaken

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
    # 2: profiles; Readify's links, their tags (one row a tag, for filters and counts), their full-text
    # index, and the tombstones of links deleted for good.
    """
    CREATE TABLE profiles (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, display_name TEXT NOT NULL, bio TEXT NOT NULL,
        location TEXT NOT NULL, website TEXT NOT NULL, email TEXT, avatar_url TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
    );
    CREATE TABLE readify_links (
        id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL,
        liked INTEGER NOT NULL, archived INTEGER NOT NULL, private INTEGER NOT NULL, deleted_at INTEGER,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (owner, url)
    );
    CREATE INDEX readify_changed ON readify_links (owner, updated_at DESC, id DESC);
    CREATE INDEX readify_kept ON readify_links (owner, created_at DESC, id DESC) WHERE deleted_at IS NULL;
    CREATE INDEX readify_kept_by_archived ON readify_links (owner, archived, created_at DESC, id DESC)
        WHERE deleted_at IS NULL;
    CREATE INDEX readify_kept_by_liked ON readify_links (owner, liked, created_at DESC, id DESC)
        WHERE deleted_at IS NULL;
    CREATE INDEX readify_kept_by_private ON readify_links (owner, private, created_at DESC, id DESC)
        WHERE deleted_at IS NULL;
    CREATE INDEX readify_trash ON readify_links (owner, created_at DESC, id DESC) WHERE deleted_at IS NOT NULL;
    CREATE INDEX readify_trash_by_time ON readify_links (owner, deleted_at) WHERE deleted_at IS NOT NULL;
    CREATE TABLE readify_tags (
        owner TEXT NOT NULL, kept INTEGER NOT NULL, tag TEXT NOT NULL, link_id TEXT NOT NULL,
        PRIMARY KEY (owner, kept, tag, link_id)
    ) WITHOUT ROWID;
    CREATE INDEX readify_tags_by_link ON readify_tags (link_id);
    CREATE VIRTUAL TABLE readify_search USING fts5 (owner_token, title, url, tags, tokenize = 'unicode61');
    CREATE TABLE readify_tombstones (id TEXT PRIMARY KEY, owner TEXT NOT NULL, updated_at INTEGER NOT NULL);
    CREATE INDEX readify_tombstones_changed ON readify_tombstones (owner, updated_at DESC, id DESC);
    CREATE TRIGGER readify_links_insert AFTER INSERT ON readify_links BEGIN
        INSERT INTO readify_tags (owner, kept, tag, link_id)
        SELECT new.owner, new.deleted_at IS NULL, value, new.id FROM json_each(new.tags);
        INSERT INTO readify_search (rowid, owner_token, title, url, tags)
        VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url,
                (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
    END;
    CREATE TRIGGER readify_links_tags_update AFTER UPDATE OF tags, deleted_at ON readify_links BEGIN
        DELETE FROM readify_tags WHERE link_id = old.id;
        INSERT INTO readify_tags (owner, kept, tag, link_id)
        SELECT new.owner, new.deleted_at IS NULL, value, new.id FROM json_each(new.tags);
    END;
    CREATE TRIGGER readify_links_search_update AFTER UPDATE OF title, url, tags ON readify_links BEGIN
        UPDATE readify_search SET title = new.title, url = new.url,
            tags = (SELECT group_concat(value, ' ') FROM json_each(new.tags))
        WHERE rowid = new.rowid;
    END;
    CREATE TRIGGER readify_links_delete AFTER DELETE ON readify_links BEGIN
        DELETE FROM readify_tags WHERE link_id = old.id;
        DELETE FROM readify_search WHERE rowid = old.rowid;
    END;
    """,
    # 3: each tag row carries its link's created_at, so that a tag's links can be read in the lists' order
    # (newest saved first) and a tag filter reads only as far as its page.
    """
    ALTER TABLE readify_tags ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
    UPDATE readify_tags SET created_at = (SELECT l.created_at FROM readify_links l WHERE l.id = readify_tags.link_id);
    CREATE INDEX readify_tags_newest_first ON readify_tags (owner, kept, tag, created_at DESC, link_id DESC);
    DROP TRIGGER readify_links_insert;
    CREATE TRIGGER readify_links_insert AFTER INSERT ON readify_links BEGIN
        INSERT INTO readify_tags (owner, kept, tag, link_id, created_at)
        SELECT new.owner, new.deleted_at IS NULL, value, new.id, new.created_at FROM json_each(new.tags);
        INSERT INTO readify_search (rowid, owner_token, title, url, tags)
        VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url,
                (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
    END;
    DROP TRIGGER readify_links_tags_update;
    CREATE TRIGGER readify_links_tags_update AFTER UPDATE OF tags, deleted_at, created_at ON readify_links BEGIN
        DELETE FROM readify_tags WHERE link_id = old.id;
        INSERT INTO readify_tags (owner, kept, tag, link_id, created_at)
        SELECT new.owner, new.deleted_at IS NULL, value, new.id, new.created_at FROM json_each(new.tags);
    END;
    """,
    # 4: how many links out of the trash carry each tag, kept up to date by the tag rows' triggers (the tags
    # page reads one row a tag instead of one a link and tag).
    """
    CREATE TABLE readify_tag_counts (
        owner TEXT NOT NULL, tag TEXT NOT NULL, links INTEGER NOT NULL, PRIMARY KEY (owner, tag)
    ) WITHOUT ROWID;
    INSERT INTO readify_tag_counts (owner, tag, links)
        SELECT owner, tag, count(*) FROM readify_tags WHERE kept = 1 GROUP BY owner, tag;
    CREATE TRIGGER readify_tags_counted AFTER INSERT ON readify_tags WHEN new.kept = 1 BEGIN
        INSERT INTO readify_tag_counts (owner, tag, links) VALUES (new.owner, new.tag, 1)
            ON CONFLICT (owner, tag) DO UPDATE SET links = links + 1;
    END;
    CREATE TRIGGER readify_tags_uncounted AFTER DELETE ON readify_tags WHEN old.kept = 1 BEGIN
        UPDATE readify_tag_counts SET links = links - 1 WHERE owner = old.owner AND tag = old.tag;
        DELETE FROM readify_tag_counts WHERE owner = old.owner AND tag = old.tag AND links <= 0;
    END;
    """,
]
"""The schema, one script per version: a file at version N gets scripts N+1… at start-up."""

USER_COLUMNS = ("id", "username", "email", "password_hash", "is_active", "created_at", "last_login", "session_epoch")
TOKEN_COLUMNS = ("id", "owner", "name", "prefix", "created_at", "last_used_at")
LINK_COLUMNS = ("id", "owner", "url", "title", "created_at", "updated_at")
PROFILE_COLUMNS = (
    "id",
    "owner",
    "display_name",
    "bio",
    "location",
    "website",
    "email",
    "avatar_url",
    "created_at",
    "updated_at",
)
READIFY_COLUMNS = (
    "id",
    "owner",
    "url",
    "title",
    "tags",
    "liked",
    "archived",
    "private",
    "deleted_at",
    "created_at",
    "updated_at",
)
READIFY_CHANGEABLE = frozenset(READIFY_COLUMNS) - {"id", "owner", "created_at"}


def _search_expression(owner: str, words: tuple[str, ...], columns: str = "title url") -> str:
    """An FTS5 query: the owner's rows with a word starting with each word in one of ``columns``.

    Each word is a quoted string (FTS5 syntax in it is text); a NUL, which would end FTS5's string, is a space.
    """
    terms = ['"' + word.replace('"', '""').replace("\0", " ") + '"*' for word in words]
    return f"owner_token : o{owner.encode().hex().upper()} AND " + " AND ".join(f"{{{columns}}} : {t}" for t in terms)


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
        link_id, owner, url, title, created_at, updated_at = row  # LINK_COLUMNS, in order
        return Link.model_construct(
            id=link_id, owner=owner, url=url, title=title, created_at=created_at, updated_at=updated_at
        )

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


class SQLiteProfiles:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def get(self, owner: str) -> Profile | None:
        sql = f"SELECT {', '.join(PROFILE_COLUMNS)} FROM profiles WHERE id = ?"
        row = self.db.call(lambda connection: connection.execute(sql, (owner,)).fetchone())
        return Profile.model_construct(**dict(zip(PROFILE_COLUMNS, row, strict=True))) if row else None

    def put(self, profile: Profile) -> None:
        values = profile.model_dump()
        row = tuple(values[column] for column in PROFILE_COLUMNS)
        marks = ", ".join("?" * len(row))

        def write(connection: sqlite3.Connection) -> None:
            with self.db.transaction(connection):
                connection.execute(
                    f"INSERT OR REPLACE INTO profiles ({', '.join(PROFILE_COLUMNS)}) VALUES ({marks})", row
                )

        self.db.call(write)


def _readify_row(link: ReadifyLink) -> tuple[Any, ...]:
    values = link.model_dump()
    values["tags"] = json.dumps(values["tags"])
    return tuple(values[column] for column in READIFY_COLUMNS)


def _readify_link(row: Any) -> ReadifyLink:
    values = dict(zip(READIFY_COLUMNS, row, strict=True))
    values["tags"] = json.loads(values["tags"])
    for flag in ("liked", "archived", "private"):
        values[flag] = bool(values[flag])
    return ReadifyLink.model_construct(**values)  # validated on the way in


_READIFY_SELECT = f"SELECT {', '.join('l.' + c for c in READIFY_COLUMNS)} FROM readify_links l"


def _page_after(column: str, before: tuple[int, str] | None, conditions: list[str], parameters: list[Any]) -> None:
    if before is not None:
        conditions.append(f"(l.{column}, l.id) < (?, ?)")
        parameters.extend(before)


_TAGS_PRIMARY_KEY = "sqlite_autoindex_readify_tags_1"  # the name SQLite gives a WITHOUT ROWID table's key
TAG_COUNT_CAP = 2000
"""Tags are ranked by how many links carry them up to this many (counting further costs more than it saves)."""


def _rarest_first(connection: sqlite3.Connection, owner: str, kept: int, tags: tuple[str, ...]) -> list[str]:
    """``tags``, the one on the fewest of the owner's links first (a tag on none: first, the page is empty)."""
    if len(tags) == 1:
        return list(tags)
    sql = (
        "SELECT count(*) FROM (SELECT 1 FROM readify_tags WHERE owner = ? AND kept = ? AND tag = ?"
        f" LIMIT {TAG_COUNT_CAP})"
    )
    counts = {tag: connection.execute(sql, (owner, kept, tag)).fetchone()[0] for tag in tags}
    return sorted(tags, key=counts.__getitem__)  # stable: at the cap, the order given


class SQLiteReadifyLinks:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def _one(self, where: str, parameters: tuple[Any, ...]) -> ReadifyLink | None:
        row = self.db.call(
            lambda connection: connection.execute(f"{_READIFY_SELECT} WHERE {where}", parameters).fetchone()
        )
        return _readify_link(row) if row else None

    def _rows(self, sql: str, parameters: list[Any]) -> list[Any]:
        return self.db.call(lambda connection: connection.execute(sql, parameters).fetchall())

    def add(self, link: ReadifyLink) -> bool:
        row = _readify_row(link)

        def insert(connection: sqlite3.Connection) -> bool:
            with self.db.transaction(connection):
                sql = f"INSERT INTO readify_links ({', '.join(READIFY_COLUMNS)}) VALUES ({', '.join('?' * len(row))})"
                return connection.execute(sql + " ON CONFLICT DO NOTHING", row).rowcount == 1

        return self.db.call(insert)

    def get(self, owner: str, link_id: str) -> ReadifyLink | None:
        return self._one("l.id = ? AND l.owner = ?", (link_id, owner))

    def find_url(self, owner: str, url: str) -> ReadifyLink | None:
        return self._one("l.owner = ? AND l.url = ?", (owner, url))

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        unknown = set(changes) - READIFY_CHANGEABLE
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        values = {k: json.dumps(v) if k == "tags" else v for k, v in changes.items()}
        assignments = ", ".join(f"{column} = :{column}" for column in values)

        def write(connection: sqlite3.Connection) -> Any:
            with self.db.transaction(connection):
                try:
                    connection.execute(
                        f"UPDATE readify_links SET {assignments} WHERE id = :_id AND owner = :_owner",
                        {**values, "_id": link_id, "_owner": owner},
                    )
                except sqlite3.IntegrityError:
                    raise UrlTaken(changes.get("url")) from None
                return connection.execute(
                    f"{_READIFY_SELECT} WHERE l.id = ? AND l.owner = ?", (link_id, owner)
                ).fetchone()

        row = self.db.call(write)
        return _readify_link(row) if row else None

    def page(self, query: ReadifyQuery) -> list[ReadifyLink]:
        """Without tags, the list's index is read in order; with tags, the rarest tag's rows are read in the
        list's order (``readify_tags_newest_first``), each checked for the other tags and conditions, so a
        page reads no further than its last link (or the rarest tag's last), never a whole match set."""
        kept = int(not query.in_trash)
        conditions = ["l.owner = ?", "l.deleted_at IS NOT NULL" if query.in_trash else "l.deleted_at IS NULL"]
        parameters: list[Any] = [query.owner]
        for flag in ("liked", "archived", "private"):
            wanted = getattr(query, flag)
            if wanted is not None:
                conditions.append(f"l.{flag} = {int(wanted)}")
        if query.in_trash and query.deleted_after is not None:
            conditions.append("+l.deleted_at > ?")  # "+": keep to readify_trash, which has the list's order
            parameters.append(query.deleted_after)
        if query.words:
            conditions.append("l.rowid IN (SELECT rowid FROM readify_search WHERE readify_search MATCH ?)")
            parameters.append(_search_expression(query.owner, query.words, "title url tags"))

        def select(connection: sqlite3.Connection) -> list[Any]:
            if not query.tags:
                _page_after("created_at", query.before, conditions, parameters)
                sql = f"{_READIFY_SELECT} WHERE {' AND '.join(conditions)} ORDER BY l.created_at DESC, l.id DESC"
                return connection.execute(sql + " LIMIT ?", [*parameters, query.limit]).fetchall()
            first, *others = _rarest_first(connection, query.owner, kept, query.tags)
            walk = ["t.owner = ?", f"t.kept = {kept}", "t.tag = ?"]
            walked: list[Any] = [query.owner, first]
            if query.before is not None:
                walk.append("(t.created_at, t.link_id) < (?, ?)")
                walked.extend(query.before)
            probes = [  # in the tag's own rows (few pages, cached), not readify_tags_by_link (all of them)
                f"EXISTS (SELECT 1 FROM readify_tags x INDEXED BY {_TAGS_PRIMARY_KEY} WHERE x.owner = ?"
                f" AND x.kept = {kept} AND x.tag = ? AND x.link_id = t.link_id)"
                for _ in others
            ]
            sql = (
                f"SELECT {', '.join('l.' + c for c in READIFY_COLUMNS)} FROM readify_tags t CROSS JOIN readify_links l"
                f" WHERE {' AND '.join([*walk, *probes, 'l.id = t.link_id', *conditions])}"
                " ORDER BY t.created_at DESC, t.link_id DESC LIMIT ?"
            )
            probed = [value for tag in others for value in (query.owner, tag)]
            return connection.execute(sql, [*walked, *probed, *parameters, query.limit]).fetchall()

        return [_readify_link(row) for row in self.db.call(select)]

    def changes(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[ReadifyLink]:
        conditions, parameters = ["l.owner = ?", "l.updated_at > ?"], [owner, since]
        _page_after("updated_at", before, conditions, parameters)
        sql = f"{_READIFY_SELECT} WHERE {' AND '.join(conditions)} ORDER BY l.updated_at DESC, l.id DESC LIMIT ?"
        return [_readify_link(row) for row in self._rows(sql, [*parameters, limit])]

    def tombstones(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[Tombstone]:
        conditions, parameters = ["l.owner = ?", "l.updated_at > ?"], [owner, since]
        _page_after("updated_at", before, conditions, parameters)
        sql = (
            f"SELECT l.id, l.owner, l.updated_at FROM readify_tombstones l WHERE {' AND '.join(conditions)}"
            " ORDER BY l.updated_at DESC, l.id DESC LIMIT ?"
        )
        rows = self._rows(sql, [*parameters, limit])
        return [Tombstone.model_construct(id=i, owner=o, updated_at=u) for i, o, u in rows]

    def _delete_for_good(self, where: str, parameters: tuple[Any, ...], now: int) -> int:
        def write(connection: sqlite3.Connection) -> int:
            with self.db.transaction(connection):
                connection.execute(
                    "INSERT OR REPLACE INTO readify_tombstones (id, owner, updated_at)"
                    f" SELECT id, owner, ? FROM readify_links WHERE {where}",
                    (now, *parameters),
                )
                return int(connection.execute(f"DELETE FROM readify_links WHERE {where}", parameters).rowcount)

        return self.db.call(write)

    def remove(self, owner: str, link_id: str, now: int) -> bool:
        return self._delete_for_good("owner = ? AND id = ?", (owner, link_id), now) == 1

    def purge(self, owner: str, deleted_before: int, now: int) -> int:
        where = "owner = ? AND deleted_at IS NOT NULL AND deleted_at < ?"
        return self._delete_for_good(where, (owner, deleted_before), now)

    def count(self, owner: str) -> int:
        sql = "SELECT count(*) FROM readify_links WHERE owner = ?"
        return int(self.db.call(lambda connection: connection.execute(sql, (owner,)).fetchone()[0]))

    def tag_counts(self, owner: str) -> list[tuple[str, int]]:
        sql = "SELECT tag, links FROM readify_tag_counts WHERE owner = ? ORDER BY tag"
        return [(tag, int(count)) for tag, count in self._rows(sql, [owner])]

    def retag(self, owner: str, old: str, new: str | None, now: int) -> int:
        def write(connection: sqlite3.Connection) -> int:
            with self.db.transaction(connection):
                rows = connection.execute(
                    "SELECT id, tags FROM readify_links WHERE id IN"
                    " (SELECT link_id FROM readify_tags WHERE owner = ? AND kept IN (0, 1) AND tag = ?)",
                    (owner, old),
                ).fetchall()
                for link_id, tags in rows:
                    connection.execute(
                        "UPDATE readify_links SET tags = ?, updated_at = ? WHERE id = ?",
                        (json.dumps(replace_tag(json.loads(tags), old, new)), now, link_id),
                    )
                return len(rows)

        return self.db.call(write)


class SQLiteStore:
    """The embedded store in ``path`` (created, or migrated to the current schema, on opening)."""

    def __init__(self, path: Path) -> None:
        self.database = SQLiteDatabase(path)
        self.users = SQLiteUsers(self.database)
        self.tokens = SQLiteTokens(self.database)
        self.links = SQLiteLinks(self.database)
        self.login_failures = SQLiteLoginFailures(self.database)
        self.profiles = SQLiteProfiles(self.database)
        self.readify_links = SQLiteReadifyLinks(self.database)

    def close(self) -> None:
        self.database.close()
