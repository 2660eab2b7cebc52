"""User accounts in the database: create, find by name, record a login, end every session."""

from __future__ import annotations

from typing import Any

from .db_conn import DuplicateKeyError
from .models import User


def create_user(db: Any, user: User) -> bool:
    """Store a new account; False, storing nothing, when its username is taken."""
    try:
        db.users.insert_one(user.to_document())
    except DuplicateKeyError:
        return False
    return True


def find_user(db: Any, username: str) -> User | None:
    """The active user called ``username`` (any case, surrounding spaces ignored), or None."""
    document = db.users.find_one({"_id": username.strip().lower()})
    user = User.from_document(document) if document else None
    return user if user and user.is_active else None


def record_login(db: Any, user_id: str, now: int) -> None:
    """Note that the user signed in at ``now`` (ms)."""
    db.users.update_one({"_id": user_id}, {"$set": {"last_login": now}})


def bump_session_epoch(db: Any, user_id: str) -> None:
    """End every session of the account: cookies carry the epoch they were made in."""
    db.users.update_one({"_id": user_id}, {"$inc": {"session_epoch": 1}})
