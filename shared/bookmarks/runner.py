"""Running import jobs in the background: start one for an upload, work through it a batch at a time, and
take over the jobs whose worker died.

A site brings a :data:`Saver`: it saves a batch of bookmarks for their owner (each whole or not at all)
and says what became of each.  A batch saved twice (its worker died before noting it) changes nothing the
second time, since saving a bookmark the owner has merges it, so a job taken over goes on from the last
batch its record counts.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import socket
from collections.abc import Callable, Iterator

from brubeck import concurrency
from brubeck.timekeeping import curtime
from shared.store import UNAVAILABLE, Store

from .batches import SLICE
from .jobs import CHUNK_BYTES, ImportJob
from .netscape import Bookmark, read_bookmarks
from .records import import_jobs

log = logging.getLogger("shared.bookmarks")

Saver = Callable[[str, list[Bookmark]], list[str]]
"""``saver(owner, bookmarks)``: saves them; for each, "created", "merged", or why it was skipped."""
BATCH = 500
"""Bookmarks saved in one transaction (and noted in the job's record after it)."""
LEASE_MS = 30_000
"""How long a worker's hold on a job lasts unless renewed (each batch renews it)."""
SWEEP_SECONDS = 30.0
"""How often a process looks for jobs whose worker died (a look at an import's progress looks at once)."""
_ANCHOR = re.compile(rb"<a\s", re.IGNORECASE)
WORKER = f"{socket.gethostname()}:{os.getpid()}"
"""This process, as a job's worker: its host and process id."""
_running: set[str] = set()
"""The jobs this process is working on now."""


def split_file(data: bytes) -> Iterator[bytes]:
    """A file in the pieces a job keeps it in, made one at a time."""
    for start in range(0, max(len(data), 1), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]


def start_import(store: Store, site: str, owner: str, filename: str, data: bytes, saver: Saver) -> ImportJob:
    """Store an import of ``data`` (a bookmark file) for ``owner`` and start it in the background."""
    now, pieces = curtime(), max(1, -(-len(data) // CHUNK_BYTES))
    total = sum(1 for _ in _ANCHOR.finditer(data))
    job = ImportJob(ImportJob.new_id(), site, owner, filename[:200], pieces, now, total=total, updated_at=now)
    job.worker, job.lease_until = WORKER, now + LEASE_MS  # this process's from the start
    import_jobs(store).create(job, split_file(data))
    concurrency.spawn(run_job, store, job.id, saver)
    return job


def _pieces(store: Store, job: ImportJob) -> Iterator[bytes]:
    for number in range(job.chunks):
        piece = import_jobs(store).chunk(job.id, number)
        if piece is None:
            raise FileNotFoundError(f"piece {number} of the file of import {job.id} is missing")
        yield piece


def run_job(store: Store, job_id: str, saver: Saver, dead: str = "") -> None:
    """Work through the job if no other worker holds it (or its worker, ``dead``, has died) and this process is
    not at it already."""
    if job_id in _running:
        return
    _running.add(job_id)
    try:
        _run(store, job_id, saver, dead)
    finally:
        _running.discard(job_id)


def _run(store: Store, job_id: str, saver: Saver, dead: str) -> None:
    now = curtime()
    job = import_jobs(store).claim(job_id, WORKER, now, now + LEASE_MS, dead)
    if job is None:
        return
    log.info("Import %s for %s: going on from %d of %d", job.id, job.owner, job.done, job.total)
    try:
        _work(store, job, saver)
    except UNAVAILABLE as error:  # left to the next sweep, once its lease has run out
        log.error("Import %s stopped, the database is unavailable: %s", job.id, error)
    except Exception:
        log.exception("Import %s failed", job.id)
        job.state, job.message = "failed", "The import stopped because of an error on our side."
        job.updated_at = curtime()
        import_jobs(store).save(job)


def _work(store: Store, job: ImportJob, saver: Saver) -> None:
    """Read and save a batch at a time.  Reading and checking bookmarks is work for the processor, done in this
    greenlet a few bookmarks at a time (:data:`SLICE`), letting the process's requests go between."""
    bookmarks = itertools.islice(read_bookmarks(_pieces(store, job)), job.done, None)
    while True:
        batch = []
        for bookmark in itertools.islice(bookmarks, BATCH):
            batch.append(bookmark)
            if len(batch) % SLICE == 0:
                concurrency.sleep(0)
        if not batch:
            break
        if not _save_batch(store, job, saver, batch):
            return
    job.state, job.total = "done", job.done
    job.updated_at = curtime()
    import_jobs(store).save(job)
    log.info("Import %s done: %d created, %d merged, %d skipped", job.id, job.created, job.merged, job.skipped_count)


def _save_batch(store: Store, job: ImportJob, saver: Saver, batch: list[Bookmark]) -> bool:
    """Save a batch and note it in the job; False when another worker has taken the job over."""
    for bookmark, outcome in zip(batch, saver(job.owner, batch), strict=True):
        if outcome == "created":
            job.created += 1
        elif outcome == "merged":
            job.merged += 1
        else:
            job.skip(bookmark.url, bookmark.title, outcome)
    job.done += len(batch)
    job.total = max(job.total, job.done)
    job.updated_at = curtime()
    job.lease_until = job.updated_at + LEASE_MS
    return import_jobs(store).save(job)


def resume_stalled(store: Store, site: str, saver: Saver, limit: int = 20) -> int:
    """Start again the site's unfinished jobs whose worker died (a process of this host that is gone, or
    whose lease ran out; this process's own when it stopped working on one); how many."""
    now, resumed = curtime(), 0
    for job in import_jobs(store).unfinished(site, limit):
        dead = job.worker if _dead_here(job.worker) else ""
        if job.id not in _running and (dead or job.lease_until <= now):
            concurrency.spawn(run_job, store, job.id, saver, dead)
            resumed += 1
    return resumed


def _dead_here(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def keep_resuming(store: Store, site: str, saver: Saver, every: float = SWEEP_SECONDS) -> None:
    """Look for stalled jobs of the site every ``every`` seconds, for the life of the process (not at once: a
    process starting while the database is down answers its first requests before it waits on the database)."""

    def sweep() -> None:
        while True:
            concurrency.sleep(every)
            try:
                resume_stalled(store, site, saver)
            except UNAVAILABLE as error:
                log.warning("Cannot look for stalled imports: %s", error)

    concurrency.spawn(sweep)
