"""What imports keep in the data layer, on both stores (SQLite, and MongoDB on mongomock): the jobs and the pieces
of their files, a worker's lease on a job, Readify's batch of links; and the migration that gives links a
description."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from brubeck.timekeeping import curtime
from readify.models import ReadifyLink
from readify.store import readify_links
from readify.store.schema import SCHEMA
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.records import JOBS, import_jobs
from shared.store import Store
from shared.store.sqlite import SQLiteStore
from tests.support.stores import assert_mongo_indexes


@pytest.fixture
def store(either_store: Store) -> Store:
    return either_store


def new_job(store: Store, owner: str = "alice", at: int | None = None) -> ImportJob:
    job = ImportJob(ImportJob.new_id(), "readify", owner, "b.html", 2, at or curtime(), total=5)
    import_jobs(store).create(job, [b"first", b"second"])
    return job


def test_a_job_keeps_its_file_in_pieces_until_it_is_finished(store):
    job = new_job(store)
    jobs = import_jobs(store)
    assert [jobs.chunk(job.id, 0), jobs.chunk(job.id, 1), jobs.chunk(job.id, 2)] == [b"first", b"second", None]
    mine = jobs.claim(job.id, "me", curtime(), curtime() + 1000)
    assert mine is not None and mine.state == "running"
    mine.done, mine.created = 5, 4
    mine.skip("javascript:x", "x", "Only http:// and https:// links can be saved.")
    mine.state = "done"
    assert jobs.save(mine)
    again = jobs.get(job.id)
    assert again is not None and (again.done, again.created, again.skipped_count, again.state) == (5, 4, 1, "done")
    assert again.skipped == [["javascript:x", "x", "Only http:// and https:// links can be saved."]]
    assert jobs.chunk(job.id, 0) is None
    assert jobs.claim(job.id, "me", curtime(), curtime() + 1000) is None  # finished: nobody's


def test_a_live_lease_keeps_other_workers_off_until_it_runs_out_or_its_worker_is_dead(store):
    job = new_job(store)
    jobs, now = import_jobs(store), curtime()
    held = jobs.claim(job.id, "one", now, now + 1000)
    assert held is not None
    assert jobs.claim(job.id, "two", now, now + 1000) is None
    taken = jobs.claim(job.id, "two", now + 1000, now + 2000)  # the lease ran out
    assert taken is not None and taken.worker == "two"
    assert not jobs.save(held)  # the first worker finds it lost the job
    assert jobs.claim(job.id, "three", now, now + 3000, dead="two") is not None


def test_the_unfinished_jobs_and_an_owners_latest(store):
    first, second = new_job(store, at=1), new_job(store, at=2)
    other = new_job(store, "bob", at=3)
    jobs = import_jobs(store)
    assert [job.id for job in jobs.latest("readify", "alice", 5)] == [second.id, first.id]
    assert {job.id for job in jobs.unfinished("readify", 10)} == {first.id, second.id, other.id}
    assert jobs.unfinished("listsurf", 10) == []


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


def test_mongodb_has_the_indexes_of_the_jobs():
    assert_mongo_indexes(JOBS)


def test_a_readify_file_of_version_3_gets_descriptions_and_keeps_its_links(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        for script in SCHEMA.migrations[:3]:
            connection.executescript(script)
        connection.execute("INSERT INTO schema_versions VALUES ('readify', 3)")
        connection.execute(
            "INSERT INTO readify_links VALUES ('l1', 'alice', 'https://example.com/', 'old', '[\"a\"]', 0, 0, 0,"
            " NULL, 7, 7)"
        )
    store = SQLiteStore(path)
    try:
        (link,) = readify_links(store).find_urls("alice", ["https://example.com/"])
        assert (link.title, link.tags, link.description) == ("old", ["a"], "")
    finally:
        store.close()
