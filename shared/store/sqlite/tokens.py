"""API tokens in the embedded store."""

from __future__ import annotations

from ...models import ApiToken
from .database import Row, SQLiteDatabase, insert_sql, row_of

COLUMNS = ("id", "owner", "name", "prefix", "created_at", "last_used_at")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM tokens"


def _token(row: Row) -> ApiToken:
    return ApiToken.model_validate(dict(zip(COLUMNS, row, strict=True)))


class SQLiteTokens:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def add(self, token: ApiToken) -> None:
        self.db.change(insert_sql("tokens", COLUMNS), row_of(token.model_dump(), COLUMNS))

    def get(self, token_id: str) -> ApiToken | None:
        row = self.db.one(f"{SELECT} WHERE id = ?", (token_id,))
        return _token(row) if row else None

    def for_owner(self, owner: str) -> list[ApiToken]:
        return [_token(row) for row in self.db.rows(f"{SELECT} WHERE owner = ? ORDER BY created_at DESC", (owner,))]

    def touch(self, token_id: str, now: int) -> None:
        self.db.change("UPDATE tokens SET last_used_at = ? WHERE id = ?", (now, token_id))

    def delete(self, owner: str, token_id: str) -> bool:
        return self.db.change("DELETE FROM tokens WHERE id = ? AND owner = ?", (token_id, owner)) == 1
