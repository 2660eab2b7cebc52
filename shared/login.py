"""Checking a username and password, throttled: what the login form and ``POST /tokens`` share.

Each attempt is counted before its password is checked (shared/throttle.py), and an unknown name
is checked against a decoy hash, so it takes as long as a wrong password.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from brubeck.auth import check_password, hash_password

from .models import User
from .store import Store
from .throttle import LoginThrottle
from .users import find_user


@dataclass(frozen=True)
class LoginResult:
    """The account whose password was given (None when wrong), or how long to wait when refused."""

    user: User | None
    retry_after_s: int = 0
    """Above 0: too many attempts, the password was not checked; try again after this many seconds."""

    @property
    def refused(self) -> bool:
        return self.retry_after_s > 0


@cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return hash_password("no account has this password")


def too_many_attempts(retry_after_s: int) -> str:
    """What a refused attempt is told."""
    minutes = max(1, round(retry_after_s / 60))
    return f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."


def check_login(store: Store, username: str, password: str, address: str) -> LoginResult:
    """Count the attempt from ``address``; unless refused, check the password (pausing first after
    several failures), and on success give the attempt back."""
    throttle = LoginThrottle(store)
    attempt = throttle.attempt(username, address)
    if attempt.verdict.refused:
        return LoginResult(None, attempt.verdict.retry_after_s)
    throttle.wait(attempt.verdict)
    user = find_user(store, username) if username.strip() else None
    password_ok = check_password(password, user.password_hash if user else _decoy_hash())
    if user is None or not password_ok:
        return LoginResult(None)
    throttle.succeeded(attempt)
    return LoginResult(user)
