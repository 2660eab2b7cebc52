"""Import jobs in the embedded store: a row a job, a row a piece of its file."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from shared.store import Schema
from shared.store.sqlite.database import SQLiteDatabase, insert_sql

from .jobs import UNFINISHED, ImportJob

SCHEMA = Schema(
    "bookmark_imports",
    [
        # 1: the jobs (their counts, their worker's lease) and the pieces of their files, each row with its owner
        # (so that an account's deletion, which deletes its rows of every table with an owner, takes them too).
        """
        CREATE TABLE bookmark_imports (
            id TEXT PRIMARY KEY, site TEXT NOT NULL, owner TEXT NOT NULL, filename TEXT NOT NULL,
            chunks INTEGER NOT NULL, created_at INTEGER NOT NULL, state TEXT NOT NULL, total INTEGER NOT NULL,
            done INTEGER NOT NULL, created INTEGER NOT NULL, merged INTEGER NOT NULL, skipped TEXT NOT NULL,
            reasons TEXT NOT NULL, message TEXT NOT NULL, worker TEXT NOT NULL, lease_until INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE INDEX bookmark_imports_by_owner ON bookmark_imports (owner, site, created_at DESC);
        CREATE INDEX bookmark_imports_unfinished ON bookmark_imports (site, lease_until)
            WHERE state IN ('queued', 'running');
        CREATE TABLE bookmark_import_chunks (
            job_id TEXT NOT NULL, number INTEGER NOT NULL, owner TEXT NOT NULL, data BLOB NOT NULL,
            PRIMARY KEY (job_id, number)
        ) WITHOUT ROWID;
        CREATE INDEX bookmark_import_chunks_by_owner ON bookmark_import_chunks (owner);
        """,
    ],
)
COLUMNS = (
    "id",
    "site",
    "owner",
    "filename",
    "chunks",
    "created_at",
    "state",
    "total",
    "done",
    "created",
    "merged",
    "skipped",
    "reasons",
    "message",
    "worker",
    "lease_until",
    "updated_at",
)
PROGRESS = ("state", "total", "done", "created", "merged", "skipped", "reasons", "message", "lease_until", "updated_at")
SELECT = f"SELECT {', '.join(COLUMNS)} FROM bookmark_imports"
_UNFINISHED = f"state IN ({', '.join(repr(state) for state in UNFINISHED)})"


def _row(job: ImportJob) -> dict[str, Any]:
    values = {column: getattr(job, column) for column in COLUMNS}
    values["skipped"], values["reasons"] = json.dumps(job.skipped), json.dumps(job.reasons)
    return values


def _job(row: Any) -> ImportJob:
    values = dict(zip(COLUMNS, row, strict=True))
    values["skipped"], values["reasons"] = json.loads(values["skipped"]), json.loads(values["reasons"])
    return ImportJob(**values)


class SQLiteImportJobs:
    def __init__(self, db: SQLiteDatabase) -> None:
        self.db = db

    def create(self, job: ImportJob, chunks: Iterable[bytes]) -> None:
        def write(connection: sqlite3.Connection) -> None:
            row = _row(job)
            connection.execute(insert_sql("bookmark_imports", COLUMNS), [row[column] for column in COLUMNS])
            connection.executemany(
                "INSERT INTO bookmark_import_chunks (job_id, number, owner, data) VALUES (?, ?, ?, ?)",
                ((job.id, number, job.owner, data) for number, data in enumerate(chunks)),
            )

        self.db.write(write)

    def get(self, job_id: str) -> ImportJob | None:
        row = self.db.one(f"{SELECT} WHERE id = ?", (job_id,))
        return _job(row) if row else None

    def chunk(self, job_id: str, number: int) -> bytes | None:
        row = self.db.one("SELECT data FROM bookmark_import_chunks WHERE job_id = ? AND number = ?", (job_id, number))
        return bytes(row[0]) if row else None

    def claim(self, job_id: str, worker: str, now: int, lease_until: int, dead: str = "") -> ImportJob | None:
        def write(connection: sqlite3.Connection) -> Any:
            changed = connection.execute(
                "UPDATE bookmark_imports SET worker = ?, lease_until = ?, state = 'running'"
                f" WHERE id = ? AND {_UNFINISHED} AND (lease_until <= ? OR worker = ? OR worker = ?)",
                (worker, lease_until, job_id, now, worker, dead or worker),
            ).rowcount
            return connection.execute(f"{SELECT} WHERE id = ?", (job_id,)).fetchone() if changed else None

        row = self.db.write(write)
        return _job(row) if row else None

    def save(self, job: ImportJob) -> bool:
        row = _row(job)
        assignments = ", ".join(f"{column} = :{column}" for column in PROGRESS)

        def write(connection: sqlite3.Connection) -> bool:
            changed = connection.execute(
                f"UPDATE bookmark_imports SET {assignments} WHERE id = :id AND worker = :worker", row
            ).rowcount
            if changed and job.finished:
                connection.execute("DELETE FROM bookmark_import_chunks WHERE job_id = ?", (job.id,))
            return bool(changed)

        return self.db.write(write)

    def unfinished(self, site: str, limit: int) -> list[ImportJob]:
        sql = f"{SELECT} WHERE site = ? AND {_UNFINISHED} ORDER BY lease_until LIMIT ?"
        return [_job(row) for row in self.db.rows(sql, (site, limit))]

    def latest(self, site: str, owner: str, limit: int) -> list[ImportJob]:
        sql = f"{SELECT} WHERE owner = ? AND site = ? ORDER BY created_at DESC LIMIT ?"
        return [_job(row) for row in self.db.rows(sql, (owner, site, limit))]
