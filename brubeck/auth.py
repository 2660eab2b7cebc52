"""Authentication: password hashing, login-required decorators, current user."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import quote

import bcrypt

from .concurrency import run_in_thread
from .exceptions import HTTPError

MAX_PASSWORD_BYTES = 72  # bcrypt ignores anything longer, so refuse it
F = TypeVar("F", bound=Callable[..., Any])
BCRYPT_ROUNDS = int(os.environ.get("BRUBECK_BCRYPT_ROUNDS", "12"))  # tests lower it for speed


def hash_password(password: str, rounds: int | None = None) -> str:
    """A bcrypt hash of ``password`` (at most 72 bytes in UTF-8), of ``rounds`` (default :data:`BCRYPT_ROUNDS`).

    bcrypt runs in the thread pool, so other requests go on meanwhile.
    """
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password is longer than {MAX_PASSWORD_BYTES} bytes")
    hashed: bytes = run_in_thread(bcrypt.hashpw, encoded, bcrypt.gensalt(rounds or BCRYPT_ROUNDS))
    return hashed.decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    """True if ``password`` matches the bcrypt ``hashed`` (constant time)."""
    encoded = password.encode("utf-8")
    if len(encoded) > MAX_PASSWORD_BYTES or not hashed:
        return False
    try:
        return bool(run_in_thread(bcrypt.checkpw, encoded, hashed.encode("ascii")))
    except ValueError:
        return False


def safe_next_url(url: str | None, default: str = "/") -> str:
    """``url`` if it is a path on this site, else ``default`` (no open redirects)."""
    if not url or not url.startswith("/") or url.startswith(("//", "/\\")):
        return default
    if any(c in url for c in "\r\n\0\\") or any(ord(c) < 32 for c in url):
        return default
    return url


class UserHandlingMixin:
    """Gives handlers ``current_user`` and ``current_userprofile``, each computed once
    (from ``get_current_user()`` and ``get_current_userprofile()``), and the
    ``auth_error()`` answer of :func:`authenticated`."""

    _current_user_loaded = False
    _current_user: Any = None
    _current_userprofile_loaded = False
    _current_userprofile: Any = None

    def get_current_user(self) -> Any:
        """Override: return the signed-in user, or ``None``."""
        return None

    def get_current_userprofile(self) -> Any:
        """Override: return the signed-in user's profile, or ``None``."""
        return None

    @property
    def current_user(self) -> Any:
        if not self._current_user_loaded:
            self._current_user = self.get_current_user()
            self._current_user_loaded = True
        return self._current_user

    @current_user.setter
    def current_user(self, user: Any) -> None:
        self._current_user = user
        self._current_user_loaded = True

    @property
    def current_userprofile(self) -> Any:
        if not self._current_userprofile_loaded:
            self._current_userprofile = self.get_current_userprofile()
            self._current_userprofile_loaded = True
        return self._current_userprofile

    def auth_error(self) -> Any:
        """What :func:`authenticated` answers without a user: 401 (override to answer otherwise)."""
        raise HTTPError(
            401,
            "Sign in or send an Authorization header to use this.",
            headers={"WWW-Authenticate": 'Token realm="api"'},
        )


def web_authenticated(method: F) -> F:
    """Page method decorator: without a user, redirect to ``login_url?next=...``."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.current_user:
            login_url = self.application.login_url
            if self.message.method in ("GET", "HEAD"):
                login_url += ("&" if "?" in login_url else "?") + "next=" + quote(self.message.uri, safe="/")
            return self.redirect(login_url)
        return method(self, *args, **kwargs)

    return cast(F, wrapper)


def authenticated(method: F) -> F:
    """API method decorator: without a user, answer with ``self.auth_error()`` (401 by default)."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not self.current_user:
            return self.auth_error()
        return method(self, *args, **kwargs)

    return cast(F, wrapper)
