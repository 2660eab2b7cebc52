"""Accounts in the embedded store."""

from __future__ import annotations

import sqlite3

from ...models import User
from .database import SQLiteDatabase, insert_sql, row_of

COLUMNS = ("id", "username", "email", "password_hash", "is_active", "created_at", "last_login", "session_epoch")


class SQLiteUsers:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def create(self, user: User) -> bool:
        row = row_of(user.model_dump(), COLUMNS)
        return self.db.change(insert_sql("users", COLUMNS) + " ON CONFLICT (id) DO NOTHING", row) == 1

    def get(self, user_id: str) -> User | None:
        row = self.db.one(f"SELECT {', '.join(COLUMNS)} FROM users WHERE id = ?", (user_id,))
        return User.model_validate(dict(zip(COLUMNS, row, strict=True))) if row else None

    def record_login(self, user_id: str, now: int) -> None:
        self.db.change("UPDATE users SET last_login = ? WHERE id = ?", (now, user_id))

    def bump_session_epoch(self, user_id: str) -> None:
        self.db.change("UPDATE users SET session_epoch = session_epoch + 1 WHERE id = ?", (user_id,))

    def change(self, user_id: str, password_hash: str, email: str | None) -> None:
        self.db.change(
            "UPDATE users SET password_hash = ?, email = ?, session_epoch = session_epoch + 1 WHERE id = ?",
            (password_hash, email, user_id),
        )

    def delete(self, user_id: str, retired_until: int) -> bool:
        def work(connection: sqlite3.Connection) -> bool:
            if connection.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount != 1:
                return False
            for table in owned_tables(connection):
                connection.execute(f'DELETE FROM "{table}" WHERE owner = ?', (user_id,))
            connection.execute(
                "INSERT INTO retired_usernames (id, until) VALUES (?, ?)"
                " ON CONFLICT (id) DO UPDATE SET until = excluded.until",
                (user_id, retired_until),
            )
            return True

        return self.db.write(work)

    def with_email(self, email: str, limit: int) -> list[User]:
        rows = self.db.rows(f"SELECT {', '.join(COLUMNS)} FROM users WHERE email = ? LIMIT ?", (email, limit))
        return [User.model_validate(dict(zip(COLUMNS, row, strict=True))) for row in rows]

    def retired(self, user_id: str, now: int) -> bool:
        return self.db.one("SELECT 1 FROM retired_usernames WHERE id = ? AND until > ?", (user_id, now)) is not None

    def count(self) -> int:
        row = self.db.one("SELECT count(*) FROM users")
        return int(row[0]) if row else 0


def owned_tables(connection: sqlite3.Connection) -> list[str]:
    """Every table of the database (a site's too) with an ``owner`` column; full-text tables are kept up to
    date by their tables' triggers."""
    tables = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'"
    ).fetchall()
    return [
        name
        for (name,) in tables
        if any(column[1] == "owner" for column in connection.execute(f'PRAGMA table_info("{name}")'))
    ]
