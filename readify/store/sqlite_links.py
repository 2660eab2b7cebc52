"""Readify's links in the embedded store: its repository (the tables are :mod:`.schema`'s)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from shared.store import UrlTaken
from shared.store.sqlite.database import SQLiteDatabase, insert_sql, row_of, search_expression

from ..models import ReadifyLink, Tombstone
from ..tags import replace_tag
from .interfaces import ReadifyQuery

COLUMNS = (
    "id",
    "owner",
    "url",
    "title",
    "description",
    "tags",
    "liked",
    "archived",
    "private",
    "deleted_at",
    "created_at",
    "updated_at",
)
CHANGEABLE = frozenset(COLUMNS) - {"id", "owner", "created_at"}
SEARCHED = "title url tags description"
"""The columns of the full-text index a search looks in (a word may start a word of any of them)."""


def _row(link: ReadifyLink) -> tuple[Any, ...]:
    values = link.model_dump()
    values["tags"] = json.dumps(values["tags"])
    return row_of(values, COLUMNS)


def _link(row: Any) -> ReadifyLink:
    values = dict(zip(COLUMNS, row, strict=True))
    values["tags"] = json.loads(values["tags"])
    for flag in ("liked", "archived", "private"):
        values[flag] = bool(values[flag])
    return ReadifyLink.model_construct(**values)  # validated on the way in


SELECT = f"SELECT {', '.join('l.' + c for c in COLUMNS)} FROM readify_links l"


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
        row = self.db.one(f"{SELECT} WHERE {where}", parameters)
        return _link(row) if row else None

    def add(self, link: ReadifyLink) -> bool:
        return self.db.change(insert_sql("readify_links", COLUMNS) + " ON CONFLICT DO NOTHING", _row(link)) == 1

    def get(self, owner: str, link_id: str) -> ReadifyLink | None:
        return self._one("l.id = ? AND l.owner = ?", (link_id, owner))

    def find_url(self, owner: str, url: str) -> ReadifyLink | None:
        return self._one("l.owner = ? AND l.url = ?", (owner, url))

    def saved_among(self, owner: str, urls: list[str]) -> set[str]:
        if not urls:
            return set()
        marks = ", ".join("?" * len(urls))
        sql = f"SELECT url FROM readify_links WHERE owner = ? AND url IN ({marks}) AND deleted_at IS NULL"
        return {row[0] for row in self.db.rows(sql, (owner, *urls))}

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        unknown = set(changes) - CHANGEABLE
        if unknown:
            raise ValueError(f"cannot change {sorted(unknown)}")
        values = {k: json.dumps(v) if k == "tags" else v for k, v in changes.items()}
        assignments = ", ".join(f"{column} = :{column}" for column in values)

        def write(connection: sqlite3.Connection) -> Any:
            try:
                connection.execute(
                    f"UPDATE readify_links SET {assignments} WHERE id = :_id AND owner = :_owner",
                    {**values, "_id": link_id, "_owner": owner},
                )
            except sqlite3.IntegrityError:
                raise UrlTaken(changes.get("url")) from None
            return connection.execute(f"{SELECT} WHERE l.id = ? AND l.owner = ?", (link_id, owner)).fetchone()

        row = self.db.write(write)
        return _link(row) if row else None

    def find_urls(self, owner: str, urls: list[str]) -> list[ReadifyLink]:
        marks = ", ".join("?" * len(urls))
        return [
            _link(row) for row in self.db.rows(f"{SELECT} WHERE l.owner = ? AND l.url IN ({marks})", [owner, *urls])
        ]

    def import_links(self, new: list[ReadifyLink], changes: list[tuple[ReadifyLink, dict[str, Any]]]) -> list[bool]:
        insert = insert_sql("readify_links", COLUMNS) + " ON CONFLICT DO NOTHING"

        def write(connection: sqlite3.Connection) -> list[bool]:
            for link, changed in changes:
                values = {k: json.dumps(v) if k == "tags" else v for k, v in changed.items()}
                assignments = ", ".join(f"{column} = :{column}" for column in values)
                connection.execute(
                    f"UPDATE readify_links SET {assignments} WHERE id = :_id AND owner = :_owner",
                    {**values, "_id": link.id, "_owner": link.owner},
                )
            return [connection.execute(insert, _row(link)).rowcount == 1 for link in new]

        return self.db.write(write)

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
            parameters.append(search_expression(query.owner, query.words, SEARCHED))

        def select(connection: sqlite3.Connection) -> list[Any]:
            if not query.tags:
                _page_after("created_at", query.before, conditions, parameters)
                sql = f"{SELECT} WHERE {' AND '.join(conditions)} ORDER BY l.created_at DESC, l.id DESC"
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
                f"SELECT {', '.join('l.' + c for c in COLUMNS)} FROM readify_tags t CROSS JOIN readify_links l"
                f" WHERE {' AND '.join([*walk, *probes, 'l.id = t.link_id', *conditions])}"
                " ORDER BY t.created_at DESC, t.link_id DESC LIMIT ?"
            )
            probed = [value for tag in others for value in (query.owner, tag)]
            return connection.execute(sql, [*walked, *probed, *parameters, query.limit]).fetchall()

        return [_link(row) for row in self.db.call(select)]

    def changes(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[ReadifyLink]:
        conditions, parameters = ["l.owner = ?", "l.updated_at > ?"], [owner, since]
        _page_after("updated_at", before, conditions, parameters)
        sql = f"{SELECT} WHERE {' AND '.join(conditions)} ORDER BY l.updated_at DESC, l.id DESC LIMIT ?"
        return [_link(row) for row in self.db.rows(sql, [*parameters, limit])]

    def tombstones(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[Tombstone]:
        conditions, parameters = ["l.owner = ?", "l.updated_at > ?"], [owner, since]
        _page_after("updated_at", before, conditions, parameters)
        sql = (
            f"SELECT l.id, l.owner, l.updated_at FROM readify_tombstones l WHERE {' AND '.join(conditions)}"
            " ORDER BY l.updated_at DESC, l.id DESC LIMIT ?"
        )
        rows = self.db.rows(sql, [*parameters, limit])
        return [Tombstone.model_construct(id=i, owner=o, updated_at=u) for i, o, u in rows]

    def _delete_for_good(self, where: str, parameters: tuple[Any, ...], now: int) -> int:
        def write(connection: sqlite3.Connection) -> int:
            connection.execute(
                "INSERT OR REPLACE INTO readify_tombstones (id, owner, updated_at)"
                f" SELECT id, owner, ? FROM readify_links WHERE {where}",
                (now, *parameters),
            )
            return int(connection.execute(f"DELETE FROM readify_links WHERE {where}", parameters).rowcount)

        return self.db.write(write)

    def remove(self, owner: str, link_id: str, now: int) -> bool:
        return self._delete_for_good("owner = ? AND id = ?", (owner, link_id), now) == 1

    def purge(self, owner: str, deleted_before: int, now: int) -> int:
        where = "owner = ? AND deleted_at IS NOT NULL AND deleted_at < ?"
        return self._delete_for_good(where, (owner, deleted_before), now)

    def count(self, owner: str) -> int:
        row = self.db.one("SELECT count(*) FROM readify_links WHERE owner = ?", (owner,))
        return int(row[0]) if row else 0

    def tag_counts(self, owner: str) -> list[tuple[str, int]]:
        sql = "SELECT tag, links FROM readify_tag_counts WHERE owner = ? ORDER BY tag"
        return [(tag, int(count)) for tag, count in self.db.rows(sql, [owner])]

    def retag(self, owner: str, old: str, new: str | None, now: int) -> int:
        def write(connection: sqlite3.Connection) -> int:
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

        return self.db.write(write)
