"""shared.models: validation messages, URL normalisation, tokens and JSON views."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import pytest
from pydantic import ValidationError

from shared.models import (
    MAX_URL_LENGTH,
    ApiToken,
    SavedLink,
    User,
    check_new_password,
    field_errors,
    normalize_url,
)

USERNAME_RULE = "Use 2 to 30 characters: letters, digits, dots, dashes or underscores."


def errors_of(model: type, **data: Any) -> dict[str, str]:
    """The ``field_errors`` messages for building ``model`` from ``data``."""
    with pytest.raises(ValidationError) as caught:
        model(**data)
    return field_errors(caught.value)


def url_problem(raw: str) -> str:
    with pytest.raises(ValueError) as caught:
        normalize_url(raw)
    return str(caught.value)


# -- User -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("alice", "alice"),
        ("Alice", "alice"),
        ("  BOB.Smith_1-x ", "bob.smith_1-x"),
        ("ab", "ab"),
        ("z" * 30, "z" * 30),
    ],
)
def test_username_is_stored_lower_case_and_is_the_id(typed: str, stored: str) -> None:
    user = User(username=typed)
    assert user.username == stored
    assert user.id == stored
    assert user.to_document()["_id"] == stored


@pytest.mark.parametrize("bad", ["a", "z" * 31, "al ice", "al!ce", "älice", "al/ice", "al@ice", ""])
def test_bad_usernames_are_refused_with_the_rule(bad: str) -> None:
    assert errors_of(User, username=bad) == {"username": USERNAME_RULE}


def test_missing_username_is_required() -> None:
    assert errors_of(User) == {"username": "This is required."}


def test_email_is_optional_and_validated() -> None:
    assert User(username="alice").email is None
    assert User(username="alice", email="alice@example.com").email == "alice@example.com"
    assert errors_of(User, username="alice", email="not an address") == {
        "email": "That does not look like an email address."
    }


def test_user_times_are_milliseconds() -> None:
    user = User(username="alice")
    assert isinstance(user.created_at, int)
    assert abs(user.created_at - time.time() * 1000) < 60_000
    assert user.last_login is None


def test_the_owners_view_never_carries_the_password_hash_or_session_epoch() -> None:
    user = User(username="Alice", email="alice@example.com", password_hash="$2b$04$secret-hash")
    owner = user.to_owner_json()
    assert "password_hash" not in owner and "session_epoch" not in owner
    assert "$2b$04$secret-hash" not in repr(owner)
    assert owner["email"] == "alice@example.com" and owner["username"] == "alice"
    assert user.to_document()["password_hash"] == "$2b$04$secret-hash"  # only storage keeps it


def test_document_round_trip() -> None:
    user = User(username="alice", email="alice@example.com", password_hash="h", last_login=5)
    assert User.from_document(user.to_document()) == user


# -- field_errors on other models -------------------------------------------------------------------


def test_field_errors_for_a_saved_link() -> None:
    assert errors_of(SavedLink, id="x", owner="alice") == {"url": "This is required."}
    assert errors_of(SavedLink, id="x", owner="alice", url="javascript:alert(1)", title="t" * 501) == {
        "url": "Only http:// and https:// links can be saved.",
        "title": "Use at most 500 characters.",
    }
    assert errors_of(SavedLink, id="x", owner="alice", url="https://user:pw@example.com/") == {
        "url": "Links with a user name or password in them cannot be saved."
    }


def test_field_errors_for_a_token_name() -> None:
    assert errors_of(ApiToken, id="x", owner="alice", name="n" * 81) == {"name": "Use at most 80 characters."}
    assert set(errors_of(ApiToken, id="x", owner="alice", name="")) == {"name"}


def test_link_title_whitespace_is_collapsed() -> None:
    link = SavedLink(id="x", owner="alice", url="example.com", title="  A \n  title\t here ")
    assert link.title == "A title here"
    assert link.url == "https://example.com/"


# -- passwords --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("", "Use at least 8 characters."),
        ("1234567", "Use at least 8 characters."),
        ("12345678", None),
        ("correct horse battery staple", None),
        ("x" * 72, None),
        ("x" * 73, "Use at most 72 bytes."),
        ("é" * 37, "Use at most 72 bytes."),  # 37 characters, 74 bytes
    ],
)
def test_check_new_password(password: str, problem: str | None) -> None:
    assert check_new_password(password) == problem


# -- normalize_url ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("example.com", "https://example.com/"),
        ("  https://example.com/page  ", "https://example.com/page"),
        ("www.example.com/path?q=1", "https://www.example.com/path?q=1"),
        ("HTTP://Example.COM", "http://example.com/"),
        ("http://example.com:80/", "http://example.com/"),
        ("https://example.com:443/a?b=1#c", "https://example.com/a?b=1#c"),
        ("http://example.com:8080", "http://example.com:8080/"),
        ("https://example.com:80/", "https://example.com:80/"),
        ("example.com:8080/x", "https://example.com:8080/x"),
        ("https://example.com/A/Path?Query=Kept#Frag", "https://example.com/A/Path?Query=Kept#Frag"),
        ("HTTPS://[::1]:443/", "https://[::1]/"),
    ],
)
def test_normalize_url_good(raw: str, normalized: str) -> None:
    assert normalize_url(raw) == normalized
    assert normalize_url(normalized) == normalized  # already normal stays as it is


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", "enter a URL"),
        ("   ", "enter a URL"),
        ("javascript:alert(1)", "only http:// and https:// links can be saved"),
        ("JavaScript:alert(document.cookie)", "only http:// and https:// links can be saved"),
        ("data:text/html,<script>alert(1)</script>", "only http:// and https:// links can be saved"),
        ("ftp://example.com/file", "only http:// and https:// links can be saved"),
        ("mailto:someone@example.com", "only http:// and https:// links can be saved"),
        ("https://user:secret@example.com/", "links with a user name or password in them cannot be saved"),
        ("https://user@example.com/", "links with a user name or password in them cannot be saved"),
        ("http://exa mple.com", "a URL cannot contain spaces or control characters"),
        ("http://example.com/\x00", "a URL cannot contain spaces or control characters"),
        ("http://", "the URL needs a host name, like example.com"),
        ("http://.example.com", "the URL needs a host name, like example.com"),
        ("http://a..b", "the URL needs a host name, like example.com"),
        ("http://example.com:99999/", "the port is not a number between 0 and 65535"),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, f"use at most {MAX_URL_LENGTH:,} characters"),
    ],
)
def test_normalize_url_bad(raw: str, problem: str) -> None:
    assert url_problem(raw) == problem


# -- API tokens -------------------------------------------------------------------------------------


def test_api_token_issue_stores_only_the_hash() -> None:
    token, key = ApiToken.issue("alice", "  phone  ")
    document = token.to_document()
    assert len(key) >= 40
    assert document["_id"] == hashlib.sha256(key.encode()).hexdigest() == ApiToken.hash_key(key)
    assert key not in repr(document)
    assert key not in repr(token.model_dump())
    assert document["owner"] == "alice" and document["name"] == "phone"
    assert document["prefix"] == key[:6]


def test_api_token_keys_differ_and_a_blank_name_gets_a_default() -> None:
    first, first_key = ApiToken.issue("alice", "")
    second, second_key = ApiToken.issue("alice", "")
    assert first_key != second_key and first.id != second.id
    assert first.name == "API token"
