"""Readify's profiles in the embedded store (one per account)."""

from __future__ import annotations

from shared.store.sqlite.database import SQLiteDatabase, insert_sql, row_of

from ..models import Profile

COLUMNS = (
    "id",
    "owner",
    "display_name",
    "bio",
    "location",
    "website",
    "email",
    "avatar_url",
    "new_links_private",
    "created_at",
    "updated_at",
)


class SQLiteProfiles:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def get(self, owner: str) -> Profile | None:
        row = self.db.one(f"SELECT {', '.join(COLUMNS)} FROM profiles WHERE id = ?", (owner,))
        if row is None:
            return None
        values = dict(zip(COLUMNS, row, strict=True))
        return Profile.model_construct(**{**values, "new_links_private": bool(values["new_links_private"])})

    def put(self, profile: Profile) -> None:
        sql = insert_sql("profiles", COLUMNS).replace("INSERT", "INSERT OR REPLACE", 1)
        self.db.change(sql, row_of(profile.model_dump(), COLUMNS))
