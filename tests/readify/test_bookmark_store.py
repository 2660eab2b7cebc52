"""What Readify's imports keep in the data layer, on both stores (SQLite, and MongoDB on mongomock): a batch of
links with the changes to those saved before; and the migrations that give links a description, searched.  The jobs'
records are tested in tests/shared/store/test_bookmark_jobs.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from readify.imports import BOOKMARKS
from readify.links import list_links
from readify.models import ReadifyLink
from readify.store import LINKS, readify_links
from readify.store.schema import SCHEMA
from shared.bookmarks.netscape import read_bookmarks
from shared.store import Store
from shared.store.sqlite import SQLiteStore
from tests.support.bookmark_files import generated_file
from tests.support.imports import imported, imports_settled  # noqa: F401  (the fixture, used below)


@pytest.fixture
def store(either_store: Store) -> Store:
    return either_store


def test_a_batch_of_links_is_stored_with_the_changes_to_those_saved_before(store):
    links = readify_links(store)
    old = ReadifyLink(id=ReadifyLink.new_id(), owner="alice", url="https://a.example/", tags=["x"])
    assert links.add(old)
    new = ReadifyLink(id=ReadifyLink.new_id(), owner="alice", url="https://b.example/", description="D")
    twin = ReadifyLink(id=ReadifyLink.new_id(), owner="alice", url="https://a.example/")
    assert links.import_links([new, twin], [(old, {"tags": ["x", "y"], "created_at": 5})]) == [True, False]
    found = {link.url: link for link in links.find_urls("alice", ["https://a.example/", "https://b.example/"])}
    assert (found["https://a.example/"].tags, found["https://a.example/"].created_at) == (["x", "y"], 5)
    assert found["https://b.example/"].description == "D"
    assert links.find_urls("bob", ["https://a.example/"]) == []


def readify_file(folder: Path, version: int, link: str) -> Path:
    """A store whose Readify tables are at ``version``, with one link of alice's (``link``: its row's values)."""
    path = folder / "suite.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        for script in SCHEMA.migrations[:version]:
            connection.executescript(script)
        connection.execute(f"INSERT INTO schema_versions VALUES ('readify', {version})")
        connection.execute(f"INSERT INTO readify_links VALUES ({link})")
    return path


def test_a_readify_file_of_version_3_gets_descriptions_and_keeps_its_links(tmp_path: Path) -> None:
    path = readify_file(tmp_path, 3, "'l1', 'alice', 'https://example.com/', 'old', '[\"a\"]', 0, 0, 0, NULL, 7, 7")
    store = SQLiteStore(path)
    try:
        (link,) = readify_links(store).find_urls("alice", ["https://example.com/"])
        assert (link.title, link.tags, link.description) == ("old", ["a"], "")
    finally:
        store.close()


def test_a_readify_file_of_version_4_gets_its_notes_searched(tmp_path: Path) -> None:
    row = "'l1', 'alice', 'https://example.com/', 'old', '[\"a\"]', 0, 0, 0, NULL, 7, 7, 'Imported notes'"
    store = SQLiteStore(readify_file(tmp_path, 4, row))

    def found(words: str) -> list[str]:
        return [link.id for link in list_links(store, "alice", limit=5, search=words).items]

    try:
        assert found("old a example") == found("imported notes") == ["l1"]
        readify_links(store).update("alice", "l1", {"description": "Changed"})
        assert (found("imported"), found("changed")) == ([], ["l1"])
    finally:
        store.close()


def test_finding_a_batchs_urls_reads_the_owner_and_url_index(query_plan):
    plan = query_plan("SELECT id FROM readify_links WHERE owner = 'a' AND url IN ('x', 'y')", LINKS)
    assert "SEARCH readify_links USING INDEX" in plan and "(owner=? AND url=?)" in plan  # the UNIQUE key


@pytest.mark.usefixtures("imports_settled")
def test_an_import_runs_to_its_end_and_merges_a_second_time_on_either_store(store):
    data = generated_file(1_200, seed=4)
    first = imported(BOOKMARKS, store, "alice", data)
    unique = len({b.url for b in read_bookmarks(iter([data]))})
    assert (first.state, first.created, first.merged) == ("done", unique, 1_200 - unique)
    second = imported(BOOKMARKS, store, "alice", data)
    assert (second.created, second.merged) == (0, 1_200)
    assert readify_links(store).count("alice") == unique
