"""Profiles: what a user shows about themselves (one per account), the picture shown for it, and their setting
for new links."""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from brubeck.timekeeping import curtime
from shared.store import Store

from .models import Profile
from .store import profiles

PROFILE_FIELDS = ("display_name", "bio", "location", "website", "email", "avatar_url")
GRAVATAR = "https://www.gravatar.com/avatar/"


def get_profile(store: Store, owner: str) -> Profile:
    """The account's profile; an empty one if it never saved one."""
    return profiles(store).get(owner) or Profile(id=owner, owner=owner)


def save_profile(store: Store, owner: str, fields: dict[str, str]) -> Profile:
    """Save the account's profile from ``fields`` (any of :data:`PROFILE_FIELDS`; the others are emptied; the
    setting for new links is kept).

    Raises pydantic's ``ValidationError`` (one message per field through ``field_errors``), saving nothing.
    """
    values = {name: fields.get(name, "") for name in PROFILE_FIELDS}
    profile = Profile(**{**get_profile(store, owner).model_dump(), **values, "updated_at": curtime()})
    profiles(store).put(profile)
    return profile


def set_new_links_private(store: Store, owner: str, private: bool) -> Profile:
    """Whether the account's links saved without saying whether they are private are (the profile is kept)."""
    profile = get_profile(store, owner).model_copy(update={"new_links_private": private, "updated_at": curtime()})
    profiles(store).put(profile)
    return profile


def avatar_url(profile: Profile, size: int = 160) -> str:
    """The profile's picture: its ``avatar_url``, else the Gravatar of its email (SHA-256), else an identicon."""
    if profile.avatar_url:
        return profile.avatar_url
    seed = profile.email or f"{profile.owner}@readify.invalid"  # no email: a pattern of the username
    digest = hashlib.sha256(seed.strip().lower().encode("utf-8")).hexdigest()
    return f"{GRAVATAR}{digest}?{urlencode({'s': size, 'd': 'identicon'})}"
