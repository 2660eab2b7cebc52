"""User accounts: create, find by name, record a login, end every session; names no one may take."""

from __future__ import annotations

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


def create_user(store: Store, user: User) -> bool:
    """Store a new account; False, storing nothing, when its username is taken."""
    return store.users.create(user)


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
