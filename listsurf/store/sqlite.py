"""Listsurf's links in the embedded store: their table, full-text index, and repository."""

from __future__ import annotations

import sqlite3
from typing import Any

from shared.store import Schema
from shared.store.sqlite.database import SQLiteDatabase, insert_sql, row_of, search_expression

from ..models import Link
from .interfaces import LinkQuery

SCHEMA = Schema(
    "listsurf",
    [
        # 1: links and their full-text index.
        """
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
    ],
    legacy=[1],
)
COLUMNS = ("id", "owner", "url", "title", "created_at", "updated_at")
CHANGEABLE = frozenset({"title", "created_at", "updated_at"})


SELECT = f"SELECT {', '.join('links.' + c for c in COLUMNS)} FROM links"


def _link(row: Any) -> Link:
    # Stored links were validated on their way in: reading them back skips that (most of a list page's time).
    link_id, owner, url, title, created_at, updated_at = row  # COLUMNS, in order
    return Link.model_construct(
        id=link_id, owner=owner, url=url, title=title, created_at=created_at, updated_at=updated_at
    )


class _Taken(Exception):
    """Rolls a replacement back: its new URL is another link's."""


class SQLiteLinks:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def upsert(self, link: Link) -> tuple[Link, bool]:
        def write(connection: sqlite3.Connection) -> tuple[Any, bool]:
            inserted = connection.execute(
                insert_sql("links", COLUMNS) + " ON CONFLICT (id) DO NOTHING", row_of(link.model_dump(), COLUMNS)
            )
            if inserted.rowcount != 1:
                connection.execute(
                    "UPDATE links SET updated_at = ?, title = CASE WHEN ? = '' THEN title ELSE ? END WHERE id = ?",
                    (link.updated_at, link.title, link.title, link.id),
                )
            return connection.execute(f"{SELECT} WHERE id = ?", (link.id,)).fetchone(), inserted.rowcount == 1

        stored, created = self.db.write(write)
        return _link(stored), created

    def find_urls(self, owner: str, urls: list[str]) -> list[Link]:
        marks = ", ".join("?" * len(urls))
        return [_link(row) for row in self.db.rows(f"{SELECT} WHERE owner = ? AND url IN ({marks})", [owner, *urls])]

    def import_links(self, new: list[Link], changes: list[tuple[Link, dict[str, Any]]]) -> list[bool]:
        unknown = {name for _, changed in changes for name in changed} - CHANGEABLE
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        insert = insert_sql("links", COLUMNS) + " ON CONFLICT DO NOTHING"

        def write(connection: sqlite3.Connection) -> list[bool]:
            for link, changed in changes:
                assignments = ", ".join(f"{column} = :{column}" for column in changed)
                connection.execute(
                    f"UPDATE links SET {assignments} WHERE id = :_id AND owner = :_owner",
                    {**changed, "_id": link.id, "_owner": link.owner},
                )
            return [connection.execute(insert, row_of(link.model_dump(), COLUMNS)).rowcount == 1 for link in new]

        return self.db.write(write)

    def get(self, owner: str, link_id: str) -> Link | None:
        row = self.db.one(f"{SELECT} WHERE id = ? AND owner = ?", (link_id, owner))
        return _link(row) if row else None

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
            parameters.append(search_expression(query.owner, query.words))
        sql = f"{SELECT} WHERE {' AND '.join(conditions)} ORDER BY links.updated_at DESC, links.id DESC LIMIT ?"
        return [_link(row) for row in self.db.rows(sql, [*parameters, query.limit])]

    def replace(self, old_id: str, link: Link) -> bool:
        def write(connection: sqlite3.Connection) -> bool:
            gone = connection.execute("DELETE FROM links WHERE id = ? AND owner = ?", (old_id, link.owner))
            if gone.rowcount != 1:
                return False
            try:
                connection.execute(insert_sql("links", COLUMNS), row_of(link.model_dump(), COLUMNS))
            except sqlite3.IntegrityError:  # another of the owner's links has that URL
                raise _Taken() from None
            return True

        try:
            return self.db.write(write)
        except _Taken:
            return False

    def delete(self, owner: str, link_id: str) -> bool:
        return self.db.change("DELETE FROM links WHERE id = ? AND owner = ?", (link_id, owner)) == 1

    def count(self, owner: str) -> int:
        row = self.db.one("SELECT count(*) FROM links WHERE owner = ?", (owner,))
        return int(row[0]) if row else 0
