"""Querysets: where an AutoAPI keeps its items, by id, as a stream of writes.

A queryset maps REST calls onto CRUD calls on one item or a list of them.
``create``, ``read``, ``update`` and ``destroy`` take one item (or id) or a
list and call the ``_one`` or ``_many`` form.  Every ``_one`` call returns a
``(status, datum)`` pair and every ``_many`` call a list of them: ``status``
is one of the ``MSG_*`` constants, ``datum`` the stored item as a JSON-ready
dict, or the id that was not found (``MSG_NOTFOUND``: never an exception).

Writes are upserts (``MSG_CREATED`` or ``MSG_UPDATED``) and record when they
happened, so the items also form a stream: ``read_page(limit, after, since)``
walks them by write time, oldest first, with an opaque cursor.  Each write
gets a later time than the write before it (a millisecond later when the clock
has not moved), so an item written while a client pages always comes after
the client's cursor: nothing is skipped or shown twice.

``DictQueryset`` keeps everything in the process (demos, tests, one process);
``RedisQueryset`` keeps it in Redis, for every process of a site.
"""

from __future__ import annotations

import bisect
import json
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from .cursors import TEXT, CursorFormat, number
from .timekeeping import curtime

__all__ = ["AbstractQueryset", "DictQueryset", "RedisQueryset", "make_cursor", "parse_cursor"]

Result = tuple[str, Any]
"""``(status, datum)``: a ``MSG_*`` constant and the stored dict (or the id not found)."""

STAMP_DIGITS = 15
MAX_STAMP = 10**STAMP_DIGITS - 1
"""The largest write time a cursor or ``since`` may carry (past the year 30,000)."""
CURSORS = CursorFormat(number(STAMP_DIGITS), TEXT)
"""A page's cursor: the write time and the id of the item it follows."""


def make_cursor(stamp: int, item_id: str) -> str:
    """The cursor for the position just after the item ``item_id`` written at ``stamp``."""
    return CURSORS.encode((stamp, item_id))


def parse_cursor(cursor: str) -> tuple[int, str]:
    """``(stamp, id)`` from a cursor of :func:`make_cursor`; :class:`~brubeck.cursors.BadCursor` if it is not one."""
    stamp, item_id = CURSORS.decode(cursor)
    return stamp, item_id


def _check_page(limit: int, since: int | None) -> None:
    if limit < 1:
        raise ValueError(f"limit must be at least 1: {limit!r}")
    if since is not None and not 0 <= since <= MAX_STAMP:
        raise ValueError(f"since must be from 0 to {MAX_STAMP}: {since!r}")


class AbstractQueryset:
    """The CRUD interface of a store of items keyed by their ``api_id`` field.

    Subclasses implement ``create_many``, ``read_many``, ``destroy_many``,
    ``read_all`` and ``read_page``; the ``_one`` forms call the ``_many``
    ones, and updates are the same upserts as creates.
    """

    MSG_OK = "OK"
    MSG_UPDATED = "Updated"
    MSG_CREATED = "Created"
    MSG_NOTFOUND = "Not Found"
    MSG_FAILED = "Failed"

    def __init__(self, db_conn: Any = None, api_id: str = "id") -> None:
        self.db_conn = db_conn
        self.api_id = api_id

    # -- dispatchers ---------------------------------------------------------------------
    def create(self, items: BaseModel | list[BaseModel]) -> Result | list[Result]:
        """Save one item or a list of them."""
        return self.create_many(items) if isinstance(items, list) else self.create_one(items)

    def read(self, ids: Any) -> Result | list[Result]:
        """Every item (``ids`` empty), the items of a list of ids, or one item."""
        if not ids:
            return self.read_all()
        return self.read_many(ids) if isinstance(ids, list) else self.read_one(ids)

    def update(self, items: BaseModel | list[BaseModel]) -> Result | list[Result]:
        """Save one item or a list of them (an upsert, like ``create``)."""
        return self.update_many(items) if isinstance(items, list) else self.update_one(items)

    def destroy(self, ids: Any) -> Result | list[Result]:
        """Delete one item or the items of a list of ids."""
        return self.destroy_many(ids) if isinstance(ids, list) else self.destroy_one(ids)

    # -- one item --------------------------------------------------------------------------
    def create_one(self, item: BaseModel) -> Result:
        """Save one item: ``(MSG_CREATED or MSG_UPDATED, stored item)``."""
        return self.create_many([item])[0]

    def read_one(self, item_id: Any) -> Result:
        """``(MSG_OK, item)`` or ``(MSG_NOTFOUND, id)``."""
        return self.read_many([item_id])[0]

    def update_one(self, item: BaseModel) -> Result:
        """Save one item, as ``create_one``."""
        return self.update_many([item])[0]

    def destroy_one(self, item_id: Any) -> Result:
        """Delete one item: ``(MSG_OK, deleted item)`` or ``(MSG_NOTFOUND, id)``."""
        return self.destroy_many([item_id])[0]

    # -- many items: what a store implements -------------------------------------------------
    def create_many(self, items: Sequence[BaseModel]) -> list[Result]:
        """Save the items as one write: ``MSG_CREATED`` or ``MSG_UPDATED`` each."""
        raise NotImplementedError

    def update_many(self, items: Sequence[BaseModel]) -> list[Result]:
        """Save the items, as ``create_many``."""
        return self.create_many(items)

    def read_many(self, ids: list[Any]) -> list[Result]:
        """``(MSG_OK, item)`` or ``(MSG_NOTFOUND, id)`` for each id."""
        raise NotImplementedError

    def destroy_many(self, ids: list[Any]) -> list[Result]:
        """Delete the items: ``(MSG_OK, deleted item)`` or ``(MSG_NOTFOUND, id)`` for each id."""
        raise NotImplementedError

    def read_all(self) -> list[Result]:
        """``(MSG_OK, item)`` for every item (its cost grows with the store: APIs use ``read_page``)."""
        raise NotImplementedError

    def read_page(
        self, limit: int, after: str | None = None, since: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Up to ``limit`` items by write time, oldest first, and the cursor of the next page.

        ``after`` is a cursor this method returned; ``since`` keeps the items
        written at or after that time (ms).  The cursor is ``None`` when no
        item follows.  A malformed cursor raises ``BadCursor``, a ``since``
        out of range ValueError.
        """
        raise NotImplementedError

    # -- helpers for stores -------------------------------------------------------------------
    def _key(self, item: BaseModel) -> str:
        return str(getattr(item, self.api_id))

    def _next_stamp(self, last: int) -> int:
        """Now, or a millisecond after ``last`` when the clock has not passed it."""
        return max(curtime(), last + 1)


class DictQueryset(AbstractQueryset):
    """Items in a dict of this process, for demos, tests and single-process apps.

    The stream is a sorted list of ``(stamp, id)``: reads and pages cost
    ``O(log n + limit)``, writes a list insertion.
    """

    def __init__(self, api_id: str = "id") -> None:
        super().__init__(db_conn={}, api_id=api_id)
        self.db_conn: dict[str, dict[str, Any]]
        self._stamps: dict[str, int] = {}
        self._stream: list[tuple[int, str]] = []
        self._last = 0

    def create_many(self, items: Sequence[BaseModel]) -> list[Result]:
        stamp = self._last = self._next_stamp(self._last)
        results = []
        for item in items:
            key, datum = self._key(item), item.model_dump(mode="json")
            created = self._forget(key) is None
            self.db_conn[key] = datum
            self._stamps[key] = stamp
            bisect.insort(self._stream, (stamp, key))
            results.append((self.MSG_CREATED if created else self.MSG_UPDATED, datum))
        return results

    def read_many(self, ids: list[Any]) -> list[Result]:
        found = [(str(item_id), self.db_conn.get(str(item_id))) for item_id in ids]
        return [(self.MSG_NOTFOUND, key) if datum is None else (self.MSG_OK, datum) for key, datum in found]

    def destroy_many(self, ids: list[Any]) -> list[Result]:
        removed = [(str(item_id), self._forget(str(item_id))) for item_id in ids]
        return [(self.MSG_NOTFOUND, key) if datum is None else (self.MSG_OK, datum) for key, datum in removed]

    def read_all(self) -> list[Result]:
        return [(self.MSG_OK, self.db_conn[key]) for _, key in self._stream]

    def read_page(
        self, limit: int, after: str | None = None, since: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        _check_page(limit, since)
        start = 0 if after is None else bisect.bisect_right(self._stream, parse_cursor(after))
        if since is not None:
            start = max(start, bisect.bisect_left(self._stream, (since, "")))
        window = self._stream[start : start + limit + 1]
        items = [self.db_conn[key] for _, key in window[:limit]]
        return items, make_cursor(*window[limit - 1]) if len(window) > limit else None

    def _forget(self, key: str) -> dict[str, Any] | None:
        """Remove an item and its place in the stream; the item, or ``None`` if there was none."""
        datum = self.db_conn.pop(key, None)
        if datum is not None:
            position = (self._stamps.pop(key), key)
            del self._stream[bisect.bisect_left(self._stream, position)]
        return datum


class RedisQueryset(AbstractQueryset):
    """Items in Redis under ``namespace``, shared by every process.

    ``{namespace}:items`` is a hash of id -> ``b"<stamp>|"`` + the item's
    JSON (zlib-compressed with ``compress``); ``{namespace}:stream`` a sorted
    set whose members ``<stamp, 15 digits>-<id>`` all score 0, so Redis keeps
    them in (stamp, id) order and a page is one ``ZRANGEBYLEX``;
    ``{namespace}:clock`` holds the last write time.  A write changes the
    three in one ``MULTI`` transaction (retried if another write raced it).
    Reads and pages cost ``O(log n + limit)``.  Use a client without
    ``decode_responses``.
    """

    def __init__(
        self, db_conn: Any, api_id: str = "id", *, namespace: str, compress: bool = False, compress_level: int = 6
    ) -> None:
        super().__init__(db_conn=db_conn, api_id=api_id)
        self.items_key = f"{namespace}:items"
        self.stream_key = f"{namespace}:stream"
        self.clock_key = f"{namespace}:clock"
        self.compress = compress
        self.compress_level = compress_level

    # -- encoding ------------------------------------------------------------------------------
    @staticmethod
    def _member(stamp: int, key: str) -> str:
        return f"{stamp:0{STAMP_DIGITS}d}-{key}"

    def _encode(self, stamp: int, datum: dict[str, Any]) -> bytes:
        payload = json.dumps(datum, separators=(",", ":")).encode("utf-8")
        if self.compress:
            payload = zlib.compress(payload, self.compress_level)
        return b"%d|" % stamp + payload

    def _decode(self, raw: bytes) -> tuple[int, dict[str, Any]]:
        stamp, _, payload = raw.partition(b"|")
        if self.compress:
            payload = zlib.decompress(payload)
        return int(stamp), json.loads(payload)

    @staticmethod
    def _stamp_of(raw: bytes) -> int:
        return int(raw.partition(b"|")[0])

    # -- writes --------------------------------------------------------------------------------
    def _transaction(
        self, keys: list[str], write: Callable[[Any, list[bytes | None], int], list[Result]]
    ) -> list[Result]:
        """Run ``write(pipe, stored values of keys, last stamp)`` inside MULTI, watching the store."""
        if not keys:
            return []

        def attempt(pipe: Any) -> list[Result]:
            stored = pipe.hmget(self.items_key, keys)
            last = int(pipe.get(self.clock_key) or 0)
            pipe.multi()
            return write(pipe, stored, last)

        results: list[Result] = self.db_conn.transaction(
            attempt, self.items_key, self.clock_key, value_from_callable=True
        )
        return results

    def create_many(self, items: Sequence[BaseModel]) -> list[Result]:
        keys = [self._key(item) for item in items]
        data = [item.model_dump(mode="json") for item in items]

        def write(pipe: Any, stored: list[bytes | None], last: int) -> list[Result]:
            stamp = self._next_stamp(last)
            old = {self._member(self._stamp_of(raw), key) for key, raw in zip(keys, stored, strict=True) if raw}
            if old:
                pipe.zrem(self.stream_key, *old)
            encoded = {key: self._encode(stamp, datum) for key, datum in zip(keys, data, strict=True)}
            pipe.hset(self.items_key, mapping=encoded)
            pipe.zadd(self.stream_key, {self._member(stamp, key): 0 for key in keys})
            pipe.set(self.clock_key, stamp)
            seen: set[str] = set()
            results = []
            for key, raw, datum in zip(keys, stored, data, strict=True):
                results.append((self.MSG_UPDATED if raw or key in seen else self.MSG_CREATED, datum))
                seen.add(key)
            return results

        return self._transaction(keys, write)

    def destroy_many(self, ids: list[Any]) -> list[Result]:
        keys = [str(item_id) for item_id in ids]

        def write(pipe: Any, stored: list[bytes | None], last: int) -> list[Result]:
            found = {key: self._decode(raw) for key, raw in zip(keys, stored, strict=True) if raw}
            if found:
                pipe.hdel(self.items_key, *found)
                pipe.zrem(self.stream_key, *(self._member(stamp, key) for key, (stamp, _) in found.items()))
            return [(self.MSG_OK, found.pop(key)[1]) if key in found else (self.MSG_NOTFOUND, key) for key in keys]

        return self._transaction(keys, write)

    # -- reads -----------------------------------------------------------------------------------
    def read_many(self, ids: list[Any]) -> list[Result]:
        keys = [str(item_id) for item_id in ids]
        stored = self.db_conn.hmget(self.items_key, keys) if keys else []
        return [
            (self.MSG_OK, self._decode(raw)[1]) if raw else (self.MSG_NOTFOUND, key)
            for key, raw in zip(keys, stored, strict=True)
        ]

    def read_all(self) -> list[Result]:
        return [(self.MSG_OK, self._decode(raw)[1]) for raw in self.db_conn.hvals(self.items_key)]

    def read_page(
        self, limit: int, after: str | None = None, since: int | None = None
    ) -> tuple[list[dict[str, Any]], str | None]:
        _check_page(limit, since)
        position = None if after is None else parse_cursor(after)
        start = "-" if position is None else "(" + self._member(*position)
        if since is not None and (position is None or since > position[0]):
            start = "[" + self._member(since, "")
        members = [m.decode("utf-8") for m in self.db_conn.zrangebylex(self.stream_key, start, "+", 0, limit + 1)]
        positions = [member.split("-", 1) for member in members]
        stored = self.db_conn.hmget(self.items_key, [key for _, key in positions[:limit]]) if members else []
        items = [self._decode(raw)[1] for raw in stored if raw]  # an item deleted since the ZRANGEBYLEX is left out
        if len(members) <= limit:
            return items, None
        stamp, key = positions[limit - 1]
        return items, make_cursor(int(stamp), key)
