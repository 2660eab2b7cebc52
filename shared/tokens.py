"""API tokens in the database: issue, list an owner's, look up by key, revoke."""

from __future__ import annotations

from typing import Any

from .models import ApiToken

TOUCH_INTERVAL_MS = 3600 * 1000
"""How stale ``last_used_at`` may get before a use of the key updates it."""


def issue_token(db: Any, owner: str, name: str) -> tuple[ApiToken, str]:
    """Store a new token for ``owner``; ``(token, key)``, the key shown once and never stored.

    Raises pydantic's ``ValidationError`` for a bad name.
    """
    token, key = ApiToken.issue(owner, name)
    db.tokens.insert_one(token.to_document())
    return token, key


def list_tokens(db: Any, owner: str) -> list[ApiToken]:
    """The owner's tokens, newest first."""
    documents = db.tokens.find({"owner": owner}).sort([("created_at", -1)])
    return [ApiToken.from_document(document) for document in documents]


def use_token(db: Any, key: str, now: int) -> ApiToken | None:
    """The token of API key ``key``, or None; notes the use unless noted within the hour."""
    document = db.tokens.find_one({"_id": ApiToken.hash_key(key)})
    if not document:
        return None
    token = ApiToken.from_document(document)
    if not token.last_used_at or now - token.last_used_at > TOUCH_INTERVAL_MS:
        db.tokens.update_one({"_id": token.id}, {"$set": {"last_used_at": now}})
    return token


def revoke_token(db: Any, owner: str, token_id: str) -> bool:
    """Delete one of the owner's tokens; False if the owner has none with that id."""
    return bool(db.tokens.delete_one({"_id": token_id, "owner": owner}).deleted_count == 1)
