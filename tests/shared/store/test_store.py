"""The data layer's contract for the accounts' records, run against both stores: SQLite (the default) and
MongoDB (on mongomock); and the machinery each site's records use (schemas versioned on their own).

The ``store`` fixture (tests/shared/store/conftest.py) runs each test on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from brubeck.timekeeping import curtime
from shared import throttle, tokens, users
from shared.models import ApiToken, User
from shared.store import Records, Schema, Store, Unavailable, open_store
from shared.store.sqlite import SQLiteStore
from shared.store.sqlite.database import SQLiteDatabase
from shared.store.sqlite.schema import ACCOUNTS
from tests.support.stores import assert_mongo_indexes

NOTES = Schema(
    "notes",
    [
        "CREATE TABLE notes (id TEXT PRIMARY KEY, text TEXT NOT NULL);",
        "ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;",
    ],
    legacy=[3, 5],
)
"""A part's schema of two versions, as a site would bring it (its first version was the suite's 3rd)."""


class Notes:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def add(self, note_id: str, text: str) -> None:
        self.db.change("INSERT INTO notes (id, text) VALUES (?, ?)", (note_id, text))

    def texts(self) -> list[str]:
        return [row[0] for row in self.db.rows("SELECT text FROM notes ORDER BY id")]


NOTE_RECORDS: Records[Notes] = Records("notes", NOTES, Notes, lambda database: None)


def versions(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT name, version FROM schema_versions"))


# -- users -----------------------------------------------------------------------------------------------


def test_a_username_is_taken_once(store: Store) -> None:
    assert store.users.create(User(username="alice", password_hash="h1", email="a@example.com"))
    assert not store.users.create(User(username="alice", password_hash="h2"))
    stored = store.users.get("alice")
    assert stored is not None
    assert (stored.password_hash, stored.email) == ("h1", "a@example.com")
    assert store.users.get("bob") is None
    assert store.users.count() == 1


def test_logins_and_session_epochs(store: Store) -> None:
    store.users.create(User(username="alice", password_hash="h"))
    store.users.record_login("alice", 42)
    store.users.bump_session_epoch("alice")
    store.users.bump_session_epoch("alice")
    stored = store.users.get("alice")
    assert stored is not None and (stored.last_login, stored.session_epoch) == (42, 2)


OWNED = Schema(
    "owned",
    ["CREATE TABLE owned (id TEXT PRIMARY KEY, owner TEXT NOT NULL);\nCREATE INDEX owned_by ON owned (owner);"],
)
"""A site's records with an ``owner``, as any site's are."""


class Owned:
    """What a site keeps of an account: on SQLite a table, on MongoDB a collection, with an ``owner``."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def add(self, record_id: str, owner: str) -> None:
        if isinstance(self.db, SQLiteDatabase):
            self.db.change("INSERT INTO owned (id, owner) VALUES (?, ?)", (record_id, owner))
        else:
            self.db.owned.insert_one({"_id": record_id, "owner": owner})

    def owners(self) -> list[str]:
        if isinstance(self.db, SQLiteDatabase):
            return [row[0] for row in self.db.rows("SELECT owner FROM owned ORDER BY id")]
        return [document["owner"] for document in self.db.owned.find().sort("_id")]


OWNED_RECORDS: Records[Owned] = Records("owned", OWNED, Owned, Owned)


def test_a_change_of_password_or_email_ends_every_session(store: Store) -> None:
    store.users.create(User(username="alice", password_hash="h1", email="a@example.com"))
    store.users.change("alice", "h2", None)
    stored = store.users.get("alice")
    assert stored is not None and (stored.password_hash, stored.email, stored.session_epoch) == ("h2", None, 1)


def test_a_deleted_account_takes_what_it_owns_on_every_site_and_its_name_is_kept_a_while(store: Store) -> None:
    for name in ("alice", "bob"):
        users.create_user(store, User(username=name, password_hash="h"))
    owned = store.records(OWNED_RECORDS)
    owned.add("1", "alice")
    owned.add("2", "bob")
    tokens.issue_token(store, "alice", "script")
    assert users.delete_account(store, "alice")
    assert store.users.get("alice") is None and owned.owners() == ["bob"]
    assert tokens.list_tokens(store, "alice") == []
    assert not users.delete_account(store, "alice")  # gone already
    assert not users.create_user(store, User(username="Alice", password_hash="h"))  # kept from new accounts
    day = 24 * 3600 * 1000
    assert store.users.retired("alice", curtime() + (users.RETIRED_DAYS - 1) * day)
    assert not store.users.retired("alice", curtime() + (users.RETIRED_DAYS + 1) * day)  # free again


def test_find_user_ignores_case_spaces_and_inactive_accounts(store: Store) -> None:
    users.create_user(store, User(username="alice", password_hash="h"))
    users.create_user(store, User(username="zed", password_hash="h", is_active=False))
    found = users.find_user(store, "  ALICE ")
    assert found is not None and found.username == "alice"
    assert users.find_user(store, "zed") is None


# -- tokens ----------------------------------------------------------------------------------------------


def test_tokens_are_listed_newest_first_found_by_key_and_revoked_by_their_owner_only(store: Store) -> None:
    first, first_key = tokens.issue_token(store, "alice", "laptop")
    store.tokens.add(ApiToken(id="later", owner="alice", name="phone", created_at=first.created_at + 10))
    tokens.issue_token(store, "bob", "bob's")
    assert [t.name for t in tokens.list_tokens(store, "alice")] == ["phone", "laptop"]
    used = tokens.use_token(store, first_key, 5_000)
    assert used is not None and used.id == first.id
    assert tokens.use_token(store, "not a key", 5_000) is None
    assert not tokens.revoke_token(store, "bob", first.id)
    assert tokens.revoke_token(store, "alice", first.id)
    assert tokens.use_token(store, first_key, 6_000) is None


def test_only_the_keys_hash_is_stored(store: Store, tmp_path: Path) -> None:
    token, key = tokens.issue_token(store, "alice", " phone ")
    assert token.id == ApiToken.hash_key(key) and token.name == "phone"
    assert key not in repr(store.tokens.for_owner("alice"))
    if isinstance(store, SQLiteStore):
        assert (
            key.encode()
            not in (tmp_path / "suite.sqlite3").read_bytes() + (tmp_path / "suite.sqlite3-wal").read_bytes()
        )


def test_a_token_use_is_noted_at_most_hourly(store: Store) -> None:
    token, key = tokens.issue_token(store, "alice", "laptop")
    tokens.use_token(store, key, 1_000)
    tokens.use_token(store, key, 1_000 + tokens.TOUCH_INTERVAL_MS)  # within the hour: not noted
    assert (stored := store.tokens.get(token.id)) is not None and stored.last_used_at == 1_000
    tokens.use_token(store, key, 2_000 + tokens.TOUCH_INTERVAL_MS)
    assert (
        stored := store.tokens.get(token.id)
    ) is not None and stored.last_used_at == 2_000 + tokens.TOUCH_INTERVAL_MS


# -- failed logins ---------------------------------------------------------------------------------------


def test_failures_count_in_a_window_then_start_again(store: Store) -> None:
    failures = store.login_failures
    assert [failures.add("user:alice", 1_000, 500) for _ in range(3)] == [1, 2, 3]
    assert failures.live(["user:alice", "addr:1.2.3.4"], 1_200) == [(3, 1_500)]
    assert failures.live(["user:alice"], 1_500) == []  # the window ended
    assert failures.add("user:alice", 1_600, 500) == 1
    failures.clear("user:alice")
    assert failures.live(["user:alice"], 1_700) == []


def test_the_throttle_refuses_past_the_limit_on_either_store(store: Store) -> None:
    guard = throttle.LoginThrottle(store)
    for _ in range(throttle.PAIR_LIMIT):
        assert not guard.attempt("Alice", "10.0.0.1").verdict.refused
    assert guard.attempt("alice", "10.0.0.1").verdict.refused
    owner = guard.attempt("alice", "10.0.0.9")
    assert not owner.verdict.refused
    guard.succeeded(owner)
    assert store.login_failures.live(["pair:10.0.0.9|alice"], curtime()) == []


# -- each store on its own -------------------------------------------------------------------------------


def test_each_schema_is_versioned_on_its_own_and_made_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    assert versions(path) == {"accounts": len(ACCOUNTS.migrations)}
    store = SQLiteStore(path)
    store.records(NOTE_RECORDS).add("1", "first")
    store.close()
    assert versions(path) == {"accounts": len(ACCOUNTS.migrations), "notes": 2}
    again = SQLiteStore(path)  # opening again migrates nothing, and keeps the data
    assert again.records(NOTE_RECORDS).texts() == ["first"]
    again.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_before_versions_per_schema_starts_each_schema_where_it_was(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    with sqlite3.connect(path) as connection:  # the suite's one schema at version 4: notes' first script done
        connection.executescript(ACCOUNTS.migrations[0] + NOTES.migrations[0] + "PRAGMA user_version = 4;")
        connection.execute("INSERT INTO notes (id, text) VALUES ('1', 'kept')")
    store = SQLiteStore(path)
    assert store.records(NOTE_RECORDS).texts() == ["kept"]  # its second script ran, its first did not again
    store.close()
    assert versions(path) == {"accounts": len(ACCOUNTS.migrations), "notes": 2}  # the accounts' later ones ran


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE schema_versions SET version = 9 WHERE name = 'accounts'")
    with pytest.raises(RuntimeError, match="version 9 of the accounts schema"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT id FROM tokens WHERE owner = 'a' ORDER BY created_at DESC", "tokens_by_owner"),
        ("SELECT count FROM login_failures WHERE key IN ('a', 'b')", "sqlite_autoindex_login_failures_1"),
    ],
)
def test_sqlite_queries_are_bounded_by_an_index(query_plan: Callable[..., str], query: str, index: str) -> None:
    plan = query_plan(query)
    assert index in plan and "SCAN" not in plan, plan


def test_a_locked_database_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    store = SQLiteStore(path)
    store.database.busy_timeout_ms = 50
    store.database.close()  # reconnect with the short timeout
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(Unavailable):
            store.users.create(User(username="alice", password_hash="h"))
    finally:
        blocker.execute("ROLLBACK")
    assert store.users.create(User(username="alice", password_hash="h"))


def test_mongo_gets_the_indexes_its_queries_need() -> None:
    assert_mongo_indexes()


def test_an_old_montydb_folder_is_named_with_what_to_do(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "monty.storage.cfg").write_text("")
    open_store(None, tmp_path).close()
    assert "old embedded store (montydb)" in caplog.text
    assert f"mv {tmp_path / 'db'} {tmp_path / 'db'}.montydb-old" in caplog.text
