"""What the data layer offers: the accounts' records, and each site's through :meth:`Store.records`.

Two implementations keep to these: :mod:`shared.store.sqlite` (the embedded
default) and :mod:`shared.store.mongo` (MongoDB).  Every method is one
atomic step: it happens whole or not at all.  Each query is bounded by an
index.  Records go in and come out as models.  The record modules
(``shared.users``, ``shared.tokens``, a site's ``links``…) hold the rules;
handlers call those, never a store directly.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from ..models import ApiToken, User
from .records import Records

R = TypeVar("R")


class Unavailable(Exception):
    """The database cannot be reached or used right now (answered with 503)."""


class UrlTaken(Exception):
    """The owner has saved that URL already, as another link."""


class Users(Protocol):
    def create(self, user: User) -> bool:
        """Store a new account; False, storing nothing, when its id is taken."""

    def get(self, user_id: str) -> User | None:
        """The account with this id (the lower-case username), or None."""

    def record_login(self, user_id: str, now: int) -> None:
        """Note the time of a successful sign-in."""

    def bump_session_epoch(self, user_id: str) -> None:
        """Add one to the account's session epoch (ends every session)."""

    def change(self, user_id: str, password_hash: str, email: str | None) -> None:
        """Set the account's password hash and email, and end every session (the epoch moves on)."""

    def delete(self, user_id: str, retired_until: int) -> bool:
        """Delete the account with every record of any site that it owns (those whose ``owner`` is its id),
        and keep its name from new accounts until ``retired_until`` (ms); False if there is no such account."""

    def with_email(self, email: str, limit: int) -> list[User]:
        """Up to ``limit`` accounts with this (lower-case) email."""

    def retired(self, user_id: str, now: int) -> bool:
        """Whether the name of a deleted account is kept from new accounts at ``now``."""

    def count(self) -> int:
        """How many accounts there are."""


class Tokens(Protocol):
    def add(self, token: ApiToken) -> None:
        """Store a new token."""

    def get(self, token_id: str) -> ApiToken | None:
        """The token whose id (the key's hash) is ``token_id``, or None."""

    def for_owner(self, owner: str) -> list[ApiToken]:
        """The owner's tokens, newest first."""

    def touch(self, token_id: str, now: int) -> None:
        """Set the token's ``last_used_at``."""

    def delete(self, owner: str, token_id: str) -> bool:
        """Delete the owner's token; False if the owner has none with that id."""


class LoginFailures(Protocol):
    def add(self, key: str, now: int, window_ms: int, by: int = 1) -> int:
        """Add ``by`` to ``key``'s count in its live window (a new window if none is live); the new count.

        Atomic: two processes counting at once count two.
        """

    def live(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        """``(count, expires_at)`` of each key's window still live at ``now``."""

    def clear(self, key: str) -> None:
        """Forget the key's failures."""


class Store(Protocol):
    """The suite's database: its records, and its life cycle."""

    @property
    def users(self) -> Users: ...

    @property
    def tokens(self) -> Tokens: ...

    @property
    def login_failures(self) -> LoginFailures: ...

    def records(self, kind: Records[R]) -> R:
        """The repository of a site's kind of record, on this store (see :mod:`shared.store.records`)."""

    def close(self) -> None:
        """Release connections."""
