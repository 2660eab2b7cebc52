"""Import jobs on MongoDB: a document a job, a document a piece of its file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from pymongo import ReturnDocument

from shared.store.records import Index

from .jobs import UNFINISHED, ImportJob

JOB_INDEXES: dict[str, list[Index]] = {
    "bookmark_imports": [
        ([("owner", 1), ("site", 1), ("created_at", -1)], {}),
        ([("site", 1), ("state", 1), ("lease_until", 1)], {}),
    ],
    "bookmark_import_chunks": [([("job_id", 1), ("number", 1)], {"unique": True}), ([("owner", 1)], {})],
}
PROGRESS = ("state", "total", "done", "created", "merged", "skipped", "reasons", "message", "lease_until", "updated_at")


def _job(document: dict[str, Any]) -> ImportJob:
    values = dict(document)
    values["id"] = values.pop("_id")
    return ImportJob(**values)


class MongoImportJobs:
    def __init__(self, database: Any) -> None:
        self.jobs = database.bookmark_imports
        self.chunks = database.bookmark_import_chunks

    def create(self, job: ImportJob, chunks: Iterable[bytes]) -> None:
        """The pieces first (one at a time): a job never names a file that is not all there."""
        for number, data in enumerate(chunks):
            self.chunks.insert_one({"job_id": job.id, "number": number, "owner": job.owner, "data": data})
        document = asdict(job)
        document["_id"] = document.pop("id")
        self.jobs.insert_one(document)

    def get(self, job_id: str) -> ImportJob | None:
        document = self.jobs.find_one({"_id": job_id})
        return _job(document) if document else None

    def chunk(self, job_id: str, number: int) -> bytes | None:
        document = self.chunks.find_one({"job_id": job_id, "number": number})
        return bytes(document["data"]) if document else None

    def claim(self, job_id: str, worker: str, now: int, lease_until: int, dead: str = "") -> ImportJob | None:
        free = [{"lease_until": {"$lte": now}}, {"worker": worker}, {"worker": dead or worker}]
        document = self.jobs.find_one_and_update(
            {"_id": job_id, "state": {"$in": list(UNFINISHED)}, "$or": free},
            {"$set": {"worker": worker, "lease_until": lease_until, "state": "running"}},
            return_document=ReturnDocument.AFTER,
        )
        return _job(document) if document else None

    def save(self, job: ImportJob) -> bool:
        progress = {name: getattr(job, name) for name in PROGRESS}
        changed = self.jobs.update_one({"_id": job.id, "worker": job.worker}, {"$set": progress}).matched_count
        if changed and job.finished:
            self.chunks.delete_many({"job_id": job.id})
        return bool(changed)

    def unfinished(self, site: str, limit: int) -> list[ImportJob]:
        found = self.jobs.find({"site": site, "state": {"$in": list(UNFINISHED)}}).sort([("lease_until", 1)])
        return [_job(document) for document in found.limit(limit)]

    def latest(self, site: str, owner: str, limit: int) -> list[ImportJob]:
        found = self.jobs.find({"owner": owner, "site": site}).sort([("created_at", -1)])
        return [_job(document) for document in found.limit(limit)]
