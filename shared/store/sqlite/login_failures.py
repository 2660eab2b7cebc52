"""Counted login attempts (and sign-ups) in the embedded store: windows that expire."""

from __future__ import annotations

import sqlite3

from .database import SQLiteDatabase


class SQLiteLoginFailures:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def add(self, key: str, now: int, window_ms: int, by: int = 1) -> int:
        def count(connection: sqlite3.Connection) -> int:
            counted = connection.execute(
                "INSERT INTO login_failures (key, count, expires_at) VALUES (:key, :by, :expiry)"
                " ON CONFLICT (key) DO UPDATE SET"
                "   count = CASE WHEN expires_at > :now THEN count + :by ELSE :by END,"
                "   expires_at = CASE WHEN expires_at > :now THEN expires_at ELSE :expiry END"
                " RETURNING count",
                {"key": key, "now": now, "expiry": now + window_ms, "by": by},
            ).fetchone()[0]
            connection.execute("DELETE FROM login_failures WHERE expires_at <= ?", (now,))  # bounded: index
            return int(counted)

        return self.db.write(count)

    def live(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        marks = ", ".join("?" * len(keys))
        sql = f"SELECT count, expires_at FROM login_failures WHERE key IN ({marks}) AND expires_at > ?"
        return [(int(count), int(expires_at)) for count, expires_at in self.db.rows(sql, (*keys, now))]

    def clear(self, key: str) -> None:
        self.db.change("DELETE FROM login_failures WHERE key = ?", (key,))
