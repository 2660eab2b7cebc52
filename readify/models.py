"""Readify's records: links with tags, likes and a trash; the tombstones of links deleted for good; profiles."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from pydantic import EmailStr, Field, field_validator

from brubeck.models import UserProfile
from shared.models import Document, SavedLink, normalize_url, plain_text

from .tags import parse_tags

MAX_DESCRIPTION_LENGTH = 10_000
"""The most characters of a link's notes (its ``description``)."""


class ReadifyLink(SavedLink):
    """A link saved on Readify; one per owner and URL, its id random (the URL can be edited).

    ``description`` is the reader's notes on it (a bookmark file's ``<DD>``, or the page's own description
    until the reader writes some): plain text, line breaks kept.  ``deleted_at`` is set while it is in the
    trash.  ``tags`` takes a list or a form's text ("a, b c") and keeps the rules of
    :func:`readify.tags.parse_tags`.
    """

    collection: ClassVar[str] = "readify_links"

    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH)
    tags: list[str] = Field(default_factory=list)
    liked: bool = False
    archived: bool = False
    private: bool = False
    deleted_at: int | None = None

    @field_validator("description", mode="before")
    @classmethod
    def _strip_description(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _parse_tags(cls, value: Any) -> Any:
        return parse_tags(value) if isinstance(value, str | list | tuple) else value

    @staticmethod
    def new_id() -> str:
        """A fresh id: 24 hex digits, like every link id of the suite."""
        return secrets.token_hex(12)

    @property
    def in_trash(self) -> bool:
        return self.deleted_at is not None

    def to_api(self) -> dict[str, Any]:
        """What the owner's API shows of it (never the owner or the trash time)."""
        return self.model_dump(include=READIFY_API_FIELDS)


READIFY_API_FIELDS = set(ReadifyLink.model_fields) - {"owner", "deleted_at"}
"""What the owner's API shows of a link: all but whose it is and when it went to the trash."""


class Tombstone(Document):
    """What is left of a Readify link deleted for good: its id and when, for clients that sync."""

    collection: ClassVar[str] = "readify_tombstones"

    owner: str
    updated_at: int

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "deleted": True, "updated_at": self.updated_at}


class Profile(Document, UserProfile):
    """What a user shows about themselves, and their setting for new links; its id is the username (one per
    account).

    ``website`` and ``avatar_url`` are empty or http(s) URLs; ``email`` is shown to no one
    (it only picks the Gravatar when there is no ``avatar_url``).  ``new_links_private``: a link saved
    without saying whether it is private is (on for every account until its owner turns it off).
    """

    collection: ClassVar[str] = "profiles"

    location: str = Field(default="", max_length=100)
    website: str = ""
    email: EmailStr | None = None
    avatar_url: str = ""
    new_links_private: bool = True

    @field_validator("display_name", "bio", "location", mode="before")
    @classmethod
    def _strip_text(cls, value: Any) -> Any:
        return plain_text(value)

    @field_validator("email", mode="before")
    @classmethod
    def _empty_email(cls, value: Any) -> Any:
        return (value.strip().lower() or None) if isinstance(value, str) else value

    @field_validator("website")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return normalize_url(value) if value.strip() else ""

    @field_validator("avatar_url")
    @classmethod
    def _picture_address(cls, value: str) -> str:
        url = normalize_url(value) if value.strip() else ""
        if url.startswith("http://"):
            raise ValueError("use an https:// address for the picture")
        return url
