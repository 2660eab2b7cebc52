"""Import jobs for the tests of any site: start one on a site's :class:`~shared.bookmarks.pages.BookmarkSite` and
wait for it (it runs in a greenlet of the test's process); ``imports_settled``, for a module whose tests start
imports, lets none run on after its test, into a store being closed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from brubeck import concurrency
from shared.bookmarks import runner
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.pages import BookmarkSite
from shared.bookmarks.records import import_jobs
from shared.store import Store

LIMIT = 100_000


def finished(store: Store, job_id: str) -> ImportJob:
    """The job once it is over."""
    for _ in range(2000):
        job = import_jobs(store).get(job_id)
        assert job is not None
        if job.finished:
            return job
        concurrency.sleep(0.05)
    raise AssertionError(f"import {job_id} did not finish")


def imported(site: BookmarkSite, store: Store, owner: str, data: bytes, limit: int = LIMIT) -> ImportJob:
    """``data`` imported for ``owner``, to the end."""
    return finished(store, site.start(store, owner, "bookmarks.html", data, limit).id)


@pytest.fixture
def imports_settled(store: Store) -> Iterator[None]:
    """After the test, wait until no import of this process is running (then ``store`` may close)."""
    yield
    for _ in range(1200):
        if not runner._running:
            return
        concurrency.sleep(0.05)
