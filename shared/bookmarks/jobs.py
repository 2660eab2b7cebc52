"""Import jobs: what an upload asked for and how far its import has got, kept in the database.

Any process can show a job (its counts live in its record) and any process can take it over: a job
belongs to the worker whose lease on it is live (``lease_until``, renewed with every batch saved),
and the uploaded file is kept beside it, in pieces, until the job ends.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

CHUNK_BYTES = 64 * 1024
"""The size of the pieces an uploaded file is kept in."""
MAX_NAMED = 100
"""The most skipped bookmarks a job names (beyond these it counts them)."""
UNFINISHED = ("queued", "running")


@dataclass
class ImportJob:
    """One import: its owner's uploaded file and its progress.

    ``state`` is queued, running, done or failed; ``done`` counts the bookmarks read so far (saved or
    skipped), of ``total``; ``skipped`` names up to :data:`MAX_NAMED` skipped ones as
    ``[url, title, reason]``, and ``reasons`` counts every reason.
    """

    id: str
    site: str
    owner: str
    filename: str
    chunks: int
    created_at: int
    state: str = "queued"
    total: int = 0
    done: int = 0
    created: int = 0
    merged: int = 0
    skipped: list[list[str]] = field(default_factory=list)
    reasons: dict[str, int] = field(default_factory=dict)
    message: str = ""
    worker: str = ""
    lease_until: int = 0
    updated_at: int = 0

    @staticmethod
    def new_id() -> str:
        return secrets.token_hex(12)

    @property
    def finished(self) -> bool:
        return self.state not in UNFINISHED

    @property
    def skipped_count(self) -> int:
        return sum(self.reasons.values())

    def skip(self, url: str, title: str, reason: str) -> None:
        """Count a skipped bookmark (and name it while fewer than :data:`MAX_NAMED` are)."""
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.skipped) < MAX_NAMED:
            self.skipped.append([url[:300], title[:200], reason])

    def to_api(self) -> dict[str, object]:
        """What the API shows of it."""
        return {
            "id": self.id,
            "state": self.state,
            "filename": self.filename,
            "total": self.total,
            "done": self.done,
            "created": self.created,
            "merged": self.merged,
            "skipped": self.skipped_count,
            "reasons": dict(self.reasons),
            "skipped_items": [{"url": u, "title": t, "reason": r} for u, t, r in self.skipped],
            "message": self.message,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


class ImportJobs(Protocol):
    def create(self, job: ImportJob, chunks: Iterable[bytes]) -> None:
        """Store a new job and its file's pieces, together."""

    def get(self, job_id: str) -> ImportJob | None:
        """The job with this id, or None."""

    def chunk(self, job_id: str, number: int) -> bytes | None:
        """Piece ``number`` (from 0) of the job's file, or None once the job ended."""

    def claim(self, job_id: str, worker: str, now: int, lease_until: int, dead: str = "") -> ImportJob | None:
        """Make ``worker`` the job's worker until ``lease_until`` if it is unfinished and nobody's lease on it
        is live at ``now`` (or its worker is ``dead``); the job, or None if another has it."""

    def save(self, job: ImportJob) -> bool:
        """Store the job's progress if ``job.worker`` still holds it (the file goes once it is finished);
        False when another worker took it over."""

    def unfinished(self, site: str, limit: int) -> list[ImportJob]:
        """Up to ``limit`` of the site's queued or running jobs, the stalest lease first."""

    def latest(self, site: str, owner: str, limit: int) -> list[ImportJob]:
        """The owner's last ``limit`` jobs on the site, newest first."""
