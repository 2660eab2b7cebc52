"""Import jobs in the data layer, on both stores (SQLite, and MongoDB on mongomock): a job and the pieces of its
file, a worker's lease, the unfinished jobs and an owner's latest; each query's index."""

from __future__ import annotations

from collections.abc import Callable

from brubeck.timekeeping import curtime
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.records import JOBS, import_jobs
from shared.models import User
from shared.store import Store
from shared.users import create_user, delete_account
from tests.support.stores import assert_mongo_indexes


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


def test_mongodb_has_the_indexes_of_the_jobs():
    assert_mongo_indexes(JOBS)


def test_each_query_of_the_jobs_reads_an_index(query_plan: Callable[..., str]):
    unfinished = query_plan(
        "SELECT id FROM bookmark_imports WHERE site = 'r' AND state IN ('queued', 'running') ORDER BY lease_until",
        JOBS,
    )
    assert "USING INDEX bookmark_imports_unfinished" in unfinished and "TEMP B-TREE" not in unfinished
    latest = query_plan(
        "SELECT id FROM bookmark_imports WHERE owner = 'a' AND site = 'r' ORDER BY created_at DESC LIMIT 10", JOBS
    )
    assert "USING INDEX bookmark_imports_by_owner" in latest and "TEMP B-TREE" not in latest
    chunk = query_plan("SELECT data FROM bookmark_import_chunks WHERE job_id = 'j' AND number = 3", JOBS)
    assert "USING PRIMARY KEY" in chunk
    for table in ("bookmark_imports", "bookmark_import_chunks"):  # what deleting an account asks
        assert "USING" in query_plan(f"SELECT 1 FROM {table} WHERE owner = 'a'", JOBS)


def test_deleting_an_account_deletes_its_imports_and_their_files(store):
    user = User(username="alice")
    user.set_password("correct horse")
    assert create_user(store, user)
    mine, theirs = new_job(store), new_job(store, "bob")
    assert delete_account(store, "alice")
    assert import_jobs(store).get(mine.id) is None and import_jobs(store).chunk(mine.id, 0) is None
    assert import_jobs(store).get(theirs.id) is not None and import_jobs(store).chunk(theirs.id, 0) == b"first"
