"""The data layer's contract, run against both stores: SQLite (the default) and MongoDB (on mongomock).

The ``store`` fixture (tests/shared/store/conftest.py) runs each test on both.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import mongomock
import pytest

from brubeck.timekeeping import curtime
from shared import links, throttle, tokens, users
from shared.models import ApiToken, Link, User
from shared.store import LinkQuery, Store, Unavailable, open_store
from shared.store.mongo import INDEXES, ensure_indexes
from shared.store.sqlite import MIGRATIONS, SQLiteStore


def link(owner: str, url: str, title: str = "", at: int = 1_000) -> Link:
    draft = Link(id="x", owner=owner, url=url, title=title, created_at=at, updated_at=at)
    return draft.model_copy(update={"id": Link.id_for(owner, draft.url)})


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


# -- links -----------------------------------------------------------------------------------------------


def test_saving_a_url_again_updates_it(store: Store) -> None:
    saved, created = store.links.upsert(link("alice", "https://example.com/", "First", at=1_000))
    assert created and saved.title == "First"
    again, created = store.links.upsert(link("alice", "https://example.com/", "", at=2_000))
    assert not created
    assert (again.title, again.created_at, again.updated_at) == ("First", 1_000, 2_000)  # an empty title keeps it
    renamed, _ = store.links.upsert(link("alice", "https://example.com/", "Second", at=3_000))
    assert (renamed.title, renamed.updated_at) == ("Second", 3_000)
    assert store.links.count("alice") == 1


def test_pages_are_newest_first_without_gaps_or_repeats(store: Store) -> None:
    for n in range(25):
        store.links.upsert(link("alice", f"https://example.com/{n}", f"Link {n}", at=1_000 + n // 2))  # ties
    store.links.upsert(link("bob", "https://example.com/bob", "Bob's", at=5_000))
    seen: list[str] = []
    cursor = None
    while True:
        page = links.list_links(store, "alice", limit=7, cursor=cursor)
        seen += [item.id for item in page.links]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    everything = store.links.page(LinkQuery("alice", 100))
    assert seen == [item.id for item in everything]
    assert len(seen) == len(set(seen)) == 25
    assert [(item.updated_at, item.id) for item in everything] == sorted(
        ((item.updated_at, item.id) for item in everything), reverse=True
    )


def test_since_keeps_links_updated_after_it(store: Store) -> None:
    for n in range(5):
        store.links.upsert(link("alice", f"https://example.com/{n}", at=1_000 * (n + 1)))
    assert [item.updated_at for item in store.links.page(LinkQuery("alice", 10, since=3_000))] == [5_000, 4_000]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("python",), ["Python tips", "Learning python"]),
        (("PYTH",), ["Python tips", "Learning python"]),  # the start of a word, any case
        (("python", "tips"), ["Python tips"]),  # every word must match
        (("example",), ["Python tips", "Learning python", "Gardening"]),  # the URL counts
        (("garden",), ["Gardening"]),
        (("ython",), []),  # not the middle of a word
        (('"',), []),  # quotes cannot break the query
        (("secret",), []),  # another user's link
    ],
)
def test_search_matches_word_starts_in_titles_and_urls(
    store: Store, words: tuple[str, ...], expected: list[str]
) -> None:
    store.links.upsert(link("alice", "https://example.com/gardening", "Gardening", at=1_000))
    store.links.upsert(link("alice", "https://example.com/learn", "Learning python", at=2_000))
    store.links.upsert(link("alice", "https://example.com/tips", "Python tips", at=3_000))
    store.links.upsert(link("bob", "https://bob.example/secret", "Secret python", at=4_000))
    assert [item.title for item in store.links.page(LinkQuery("alice", 10, words=words))] == expected


def test_search_follows_edits_and_deletes(store: Store) -> None:
    first, _ = store.links.upsert(link("alice", "https://example.com/a", "Old name", at=1_000))
    store.links.upsert(link("alice", "https://example.com/a", "New name", at=2_000))
    assert store.links.page(LinkQuery("alice", 10, words=("old",))) == []
    assert [item.id for item in store.links.page(LinkQuery("alice", 10, words=("new",)))] == [first.id]
    assert not store.links.delete("bob", first.id)
    assert store.links.delete("alice", first.id)
    assert store.links.page(LinkQuery("alice", 10, words=("new",))) == []


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


def test_the_sqlite_schema_is_versioned_and_opening_again_migrates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_file_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="schema version"):
        SQLiteStore(path)


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT id FROM links WHERE owner = 'a' ORDER BY updated_at DESC, id DESC LIMIT 51", "links_newest_first"),
        ("SELECT id FROM tokens WHERE owner = 'a' ORDER BY created_at DESC", "tokens_by_owner"),
        ("SELECT count FROM login_failures WHERE key IN ('a', 'b')", "sqlite_autoindex_login_failures_1"),
    ],
)
def test_sqlite_queries_are_bounded_by_an_index(query_plan: Callable[[str], str], query: str, index: str) -> None:
    plan = query_plan(query)
    assert index in plan and "SCAN" not in plan.replace("SCAN links_search", ""), plan


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
    database = mongomock.MongoClient().suite
    ensure_indexes(database)
    for collection, indexes in INDEXES.items():
        keys = [list(info["key"]) for info in database[collection].index_information().values()]
        for wanted, _ in indexes:
            assert [name for name, _ in wanted] in [[name for name, _ in key] for key in keys]


def test_an_old_montydb_folder_is_named_with_what_to_do(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "monty.storage.cfg").write_text("")
    open_store(url="", data_dir=tmp_path).close()
    assert "old embedded store (montydb)" in caplog.text
    assert f"mv {tmp_path / 'db'} {tmp_path / 'db'}.montydb-old" in caplog.text
