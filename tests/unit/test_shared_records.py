"""shared.users and shared.tokens on the embedded store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared import db_conn, tokens, users
from shared.models import ApiToken, User

NOW_MS = 1_700_000_000_000


@pytest.fixture
def db(tmp_path: Path) -> Any:
    return db_conn.connect(url="", data_dir=tmp_path)


def test_create_user_refuses_a_taken_name_and_keeps_the_first(db: Any) -> None:
    assert users.create_user(db, User(username="alice", email="a@example.com"))
    assert not users.create_user(db, User(username="Alice", email="b@example.com"))
    found = users.find_user(db, "alice")
    assert found is not None and found.email == "a@example.com"


def test_find_user_ignores_case_and_spaces_and_skips_inactive_accounts(db: Any) -> None:
    users.create_user(db, User(username="alice"))
    users.create_user(db, User(username="gone", is_active=False))
    found = users.find_user(db, "  ALICE ")
    assert found is not None and found.id == "alice"
    assert users.find_user(db, "gone") is None
    assert users.find_user(db, "nobody") is None


def test_record_login_and_bump_session_epoch(db: Any) -> None:
    users.create_user(db, User(username="alice"))
    users.record_login(db, "alice", NOW_MS)
    users.bump_session_epoch(db, "alice")
    users.bump_session_epoch(db, "alice")
    found = users.find_user(db, "alice")
    assert found is not None
    assert (found.last_login, found.session_epoch) == (NOW_MS, 2)


def test_issue_token_stores_only_the_keys_hash(db: Any) -> None:
    token, key = tokens.issue_token(db, "alice", " phone ")
    assert token.id == ApiToken.hash_key(key) and token.name == "phone"
    assert tokens.list_tokens(db, "alice") == [token]
    assert key not in repr(db.tokens.find_one({"_id": token.id}))


def test_list_tokens_is_the_owners_newest_first(db: Any) -> None:
    for created_at, owner in ((1, "alice"), (3, "alice"), (2, "alice"), (4, "bob")):
        db.tokens.insert_one(ApiToken(id=f"t{created_at}", owner=owner, created_at=created_at).to_document())
    assert [token.id for token in tokens.list_tokens(db, "alice")] == ["t3", "t2", "t1"]
    assert tokens.list_tokens(db, "carol") == []


def test_use_token_notes_the_use_at_most_hourly(db: Any) -> None:
    token, key = tokens.issue_token(db, "alice", "phone")
    assert tokens.use_token(db, "not-a-key", NOW_MS) is None

    first = tokens.use_token(db, key, NOW_MS)
    assert first is not None and first.id == token.id and first.last_used_at is None  # as it was before this use
    within_the_hour = NOW_MS + tokens.TOUCH_INTERVAL_MS
    assert tokens.use_token(db, key, within_the_hour).last_used_at == NOW_MS
    later = within_the_hour + 1
    tokens.use_token(db, key, later)
    assert tokens.list_tokens(db, "alice")[0].last_used_at == later


def test_revoke_token_deletes_only_the_owners(db: Any) -> None:
    token, key = tokens.issue_token(db, "alice", "phone")
    assert not tokens.revoke_token(db, "bob", token.id)
    assert tokens.use_token(db, key, NOW_MS) is not None
    assert tokens.revoke_token(db, "alice", token.id)
    assert not tokens.revoke_token(db, "alice", token.id)
    assert tokens.use_token(db, key, NOW_MS) is None
