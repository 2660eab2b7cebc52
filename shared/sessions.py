"""Who is signed in: a signed session cookie, or an ``Authorization: Token`` key."""

from __future__ import annotations

from typing import Any

from brubeck.auth import UserHandlingMixin

from .db_conn import UnavailableError
from .models import ApiToken, User

SESSION_COOKIE = "session"
TOKEN_TOUCH_INTERVAL_MS = 3600 * 1000


def find_user(db: Any, username: str) -> User | None:
    """The active user called ``username`` (any case), or None."""
    document = db.users.find_one({"_id": username.strip().lower()})
    user = User.from_document(document) if document else None
    return user if user and user.is_active else None


def user_for_token(db: Any, key: str, now: int) -> User | None:
    """The owner of API key ``key``, noting (hourly) that the key was used."""
    document = db.tokens.find_one({"_id": ApiToken.hash_key(key)})
    if not document:
        return None
    token = ApiToken.from_document(document)
    if not token.last_used_at or now - token.last_used_at > TOKEN_TOUCH_INTERVAL_MS:
        db.tokens.update_one({"_id": token.id}, {"$set": {"last_used_at": now}})
    return find_user(db, token.owner)


class CurrentUserMixin(UserHandlingMixin):
    """``current_user`` from an API token or the session cookie; sign in and out.

    Database outages become 503 answers (``unavailable_errors``).
    """

    unavailable_errors = UnavailableError
    authenticated_by_token = False

    def get_current_user(self) -> User | None:
        authorization = self.message.headers.get("authorization", "")
        if authorization:
            scheme, _, key = authorization.partition(" ")
            if scheme.lower() != "token" or not key.strip():
                return None
            self.authenticated_by_token = True
            return user_for_token(self.db_conn, key.strip(), self.current_time)
        session = self.get_cookie(SESSION_COOKIE, secret=self.application.cookie_secret)
        if not isinstance(session, dict) or not isinstance(session.get("u"), str):
            return None
        user = find_user(self.db_conn, session["u"])
        return user if user and session.get("e") == user.session_epoch else None

    def sign_in(self, user: User) -> None:
        """Start a session for ``user`` in this browser."""
        session = {"u": user.id, "e": user.session_epoch}
        self.set_cookie(SESSION_COOKIE, session, secret=self.application.cookie_secret)
        self.db_conn.users.update_one({"_id": user.id}, {"$set": {"last_login": self.current_time}})
        self.current_user = user

    def sign_out(self) -> None:
        """End the session here and every other session of the account."""
        if self.current_user:
            self.db_conn.users.update_one({"_id": self.current_user.id}, {"$inc": {"session_epoch": 1}})
        self.delete_cookie(SESSION_COOKIE)
        self.current_user = None
