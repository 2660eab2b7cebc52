"""API tokens: issue, list an owner's, look up by key, revoke."""

from __future__ import annotations

from .models import ApiToken
from .store import Store

TOUCH_INTERVAL_MS = 3600 * 1000
"""How stale ``last_used_at`` may get before a use of the key updates it."""


def issue_token(store: Store, owner: str, name: str) -> tuple[ApiToken, str]:
    """Store a new token for ``owner``; ``(token, key)``, the key shown once and never stored.

    Raises pydantic's ``ValidationError`` for a bad name.
    """
    token, key = ApiToken.issue(owner, name)
    store.tokens.add(token)
    return token, key


def list_tokens(store: Store, owner: str) -> list[ApiToken]:
    """The owner's tokens, newest first."""
    return store.tokens.for_owner(owner)


def use_token(store: Store, key: str, now: int) -> ApiToken | None:
    """The token of API key ``key``, or None; notes the use unless noted within the hour."""
    token = store.tokens.get(ApiToken.hash_key(key))
    if token and (not token.last_used_at or now - token.last_used_at > TOUCH_INTERVAL_MS):
        store.tokens.touch(token.id, now)
    return token


def revoke_token(store: Store, owner: str, token_id: str) -> bool:
    """Delete one of the owner's tokens; False if the owner has none with that id."""
    return store.tokens.delete(owner, token_id)
