"""Readify's profile: its validation and views."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from readify.models import Profile
from shared.models import field_errors


def errors_of(model: type, **data: Any) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        model(**data)
    return field_errors(caught.value)


def test_profile_validation_and_views() -> None:
    profile = Profile(id="alice", owner="alice", display_name="Alice A.", bio="Hi")
    assert profile.to_owner_json()["display_name"] == "Alice A."
    assert profile.to_document()["_id"] == "alice"
    assert errors_of(Profile, id="alice", owner="alice", display_name="x" * 81) == {
        "display_name": "Use at most 80 characters."
    }
    assert errors_of(Profile, id="alice", owner="alice", bio="x" * 1001) == {"bio": "Use at most 1,000 characters."}
