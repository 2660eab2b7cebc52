"""Who is signed in: a signed session cookie on pages, a session cookie or an ``Authorization: Token``
key on the APIs.

:class:`CurrentUserMixin` is the base of every suite handler (shared/web.py);
the records it reads are in shared/users.py and shared/tokens.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from brubeck.auth import UserHandlingMixin
from brubeck.request import Request

from .models import User
from .store import UNAVAILABLE, Store
from .tokens import use_token
from .users import bump_session_epoch, find_user, record_login

SESSION_COOKIE = "session"


def user_for_token(db: Any, key: str, now: int) -> User | None:
    """The active owner of API key ``key``, or None."""
    token = use_token(db, key, now)
    return find_user(db, token.owner) if token else None


class CurrentUserMixin(UserHandlingMixin):
    """``current_user`` from the session cookie (or, where ``accepts_api_keys``, an API key); sign in and out.

    Database outages become 503 answers (``unavailable_errors``).
    """

    unavailable_errors = UNAVAILABLE
    #: Whether an ``Authorization`` header names the user: on API handlers only. A page ignores it, so
    #: that a leaked key cannot mint keys, change the profile or sign the owner out.
    accepts_api_keys = False

    # What it uses of the web handler it is mixed into:
    application: Any
    message: Request
    current_time: int
    get_cookie: Callable[..., Any]
    set_cookie: Callable[..., None]
    delete_cookie: Callable[..., None]

    @property
    def store(self) -> Store:
        """The site's database (the application's ``store``)."""
        return cast(Store, self.application.store)

    def _api_key(self) -> str | None:
        """The key of an ``Authorization: Token <key>`` header; "" for another Authorization; None without."""
        authorization = self.message.headers.get("authorization", "")
        if not authorization:
            return None
        scheme, _, key = authorization.partition(" ")
        return key.strip() if scheme.lower() == "token" else ""

    def get_current_user(self) -> User | None:
        key = self._api_key() if self.accepts_api_keys else None
        if key is not None:
            return user_for_token(self.store, key, self.current_time) if key else None
        session = self.get_cookie(SESSION_COOKIE, secret=self.application.cookie_secret)
        if not isinstance(session, dict) or not isinstance(session.get("u"), str):
            return None
        user = find_user(self.store, session["u"])
        return user if user and session.get("e") == user.session_epoch else None

    def sign_in(self, user: User) -> None:
        """Start a session for ``user`` in this browser."""
        session = {"u": user.id, "e": user.session_epoch}
        self.set_cookie(SESSION_COOKIE, session, secret=self.application.cookie_secret)
        record_login(self.store, user.id, self.current_time)
        self.current_user = user

    def sign_out(self) -> None:
        """End the session here and every other session of the account."""
        if self.current_user:
            bump_session_epoch(self.store, self.current_user.id)
        self.delete_cookie(SESSION_COOKIE)
        self.current_user = None
