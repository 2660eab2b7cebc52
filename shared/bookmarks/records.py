"""The import jobs' repository on whichever store the suite runs."""

from __future__ import annotations

from shared.store import Records, Store

from .jobs import ImportJobs
from .jobs_mongo import JOB_INDEXES, MongoImportJobs
from .jobs_sqlite import SCHEMA, SQLiteImportJobs

JOBS: Records[ImportJobs] = Records("bookmark_imports", SCHEMA, SQLiteImportJobs, MongoImportJobs, JOB_INDEXES)


def import_jobs(store: Store) -> ImportJobs:
    """The import jobs on ``store``."""
    return store.records(JOBS)
