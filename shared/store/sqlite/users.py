"""Accounts in the embedded store."""

from __future__ import annotations

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

    def count(self) -> int:
        row = self.db.one("SELECT count(*) FROM users")
        return int(row[0]) if row else 0
