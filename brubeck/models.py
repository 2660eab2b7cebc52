"""Model bases on pydantic v2, with views that keep private fields private.

A model lists ``private_fields``, which never leave the server (password
hashes, token hashes); ``to_owner_json()`` is everything else, what the
record's owner may see.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from .auth import check_password, hash_password
from .timekeeping import curtime

USERNAME_RE = re.compile(r"^[a-z0-9._-]{2,30}$")


class BrubeckModel(BaseModel):
    """Base model: validated on assignment, with an owner's view."""

    model_config = ConfigDict(validate_assignment=True, extra="ignore")

    private_fields: ClassVar[frozenset[str]] = frozenset()

    def to_owner_json(self) -> dict[str, Any]:
        """Everything except private fields, JSON-ready."""
        return self.model_dump(mode="json", exclude=set(self.private_fields))


class User(BrubeckModel):
    """An account: lower-case unique username, optional email, bcrypt hash."""

    private_fields: ClassVar[frozenset[str]] = frozenset({"password_hash"})

    username: str
    email: EmailStr | None = None
    password_hash: str = ""
    is_active: bool = True
    created_at: int = Field(default_factory=curtime)
    last_login: int | None = None

    @field_validator("username", mode="before")
    @classmethod
    def _normalise_username(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("username")
    @classmethod
    def _check_username(cls, value: str) -> str:
        if not USERNAME_RE.fullmatch(value):
            raise ValueError("use 2 to 30 characters: letters, digits, dots, dashes or underscores")
        return value

    @classmethod
    def create_user(cls, username: str, password: str, email: str | None = None) -> User:
        """A new user with a bcrypt hash of ``password`` (not saved anywhere); ValueError if invalid."""
        user = cls(username=username, email=email.strip().lower() if email else None)
        user.set_password(password)
        return user

    def set_password(self, password: str) -> None:
        """Store a bcrypt hash of ``password``."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        """True if ``password`` is this user's (constant time)."""
        return check_password(password, self.password_hash)


class UserProfile(BrubeckModel):
    """What a user shows about themselves."""

    owner: str
    display_name: str = Field(default="", max_length=80)
    bio: str = Field(default="", max_length=1000)
    created_at: int = Field(default_factory=curtime)
    updated_at: int = Field(default_factory=curtime)
