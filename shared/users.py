"""User accounts: create, find by name, record a login, change, delete, end every session; names no one may
take."""

from __future__ import annotations

from brubeck.auth import hash_password
from brubeck.timekeeping import curtime

from .models import User
from .store import Store

RESERVED_USERNAMES = frozenset(
    "about account accounts add add_item admin api archived atom create delete edit edit_item export feed help"
    " import items liked login logout me new profile rss search settings signup static tags tokens trash"
    " www"
    " ads.txt apple-touch-icon.png favicon.ico humans.txt robots.txt security.txt sitemap.xml".split()
)
"""Names that would shadow a page of some site (Readify puts profiles at ``/<username>``), or a file that
browsers and crawlers ask every site for (``/favicon.ico``, ``/robots.txt``…)."""


def reserved_username(username: str) -> bool:
    """True when ``username`` (any case) is one of :data:`RESERVED_USERNAMES`."""
    return username.strip().lower() in RESERVED_USERNAMES


RETIRED_DAYS = 30
"""How long the name of a deleted account is kept from new accounts (so no one takes it over at once)."""


def create_user(store: Store, user: User) -> bool:
    """Store a new account; False, storing nothing, when its username is taken (or was, lately)."""
    if store.users.retired(user.id, curtime()):
        return False
    return store.users.create(user)


def change_account(store: Store, user: User, password: str | None = None, email: str | None = "") -> None:
    """Give the account a new password (None: keep it) and email ("": keep it; None: none), and end every
    one of its sessions."""
    password_hash = hash_password(password) if password is not None else user.password_hash
    store.users.change(user.id, password_hash, user.email if email == "" else email)


def delete_account(store: Store, user_id: str) -> bool:
    """Delete the account and everything of it on every site; its name is kept from new accounts for
    :data:`RETIRED_DAYS` days.  False if there is no such account."""
    return store.users.delete(user_id, curtime() + RETIRED_DAYS * 24 * 3600 * 1000)


def find_user(store: Store, username: str) -> User | None:
    """The active user called ``username`` (any case, surrounding spaces ignored), or None."""
    user = store.users.get(username.strip().lower())
    return user if user and user.is_active else None


def record_login(store: Store, user_id: str, now: int) -> None:
    """Note that the user signed in at ``now`` (ms)."""
    store.users.record_login(user_id, now)


def bump_session_epoch(store: Store, user_id: str) -> None:
    """End every session of the account: cookies carry the epoch they were made in, and it moves on."""
    store.users.bump_session_epoch(user_id)
