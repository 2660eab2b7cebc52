"""The SQLite store shared by processes, with Listsurf's links (and their full-text index): nothing lost when
they write at once, nothing half-saved when one dies."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from listsurf.links import save_link
from listsurf.models import Link
from listsurf.store import links as listsurf_links
from shared.store.sqlite import SQLiteStore
from tests.support.servers import ROOT

WORKERS = 2
WRITES_PER_WORKER = 1_000
PROCESS_TIMEOUT_S = 120


def _write(path: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    """One process: its own links, and a failure counted on one shared key, as fast as it can."""
    store = SQLiteStore(Path(path))
    start.wait(PROCESS_TIMEOUT_S)
    for i in range(WRITES_PER_WORKER):
        save_link(store, f"writer{worker}", f"https://example.com/{worker}/{i}", f"Link {i}")
        store.login_failures.add("addr:shared", 1_000, 10**12)


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WORKERS)
    processes = [context.Process(target=_write, args=(str(path), worker, start)) for worker in range(WORKERS)]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join(PROCESS_TIMEOUT_S)
            assert process.exitcode == 0, f"writer {process.name} ended with {process.exitcode}"
    finally:
        for process in processes:
            if process.is_alive():
                process.kill()
    store = SQLiteStore(path)
    assert [listsurf_links(store).count(f"writer{worker}") for worker in range(WORKERS)] == [
        WRITES_PER_WORKER
    ] * WORKERS
    assert store.login_failures.live(["addr:shared"], 2_000) == [(WORKERS * WRITES_PER_WORKER, 1_000 + 10**12)]


KILLED_WRITER = """
import sys
from pathlib import Path
from shared.store.sqlite import SQLiteStore

store = SQLiteStore(Path(sys.argv[1]))
connection = store.database._connection()
with store.database.transaction(connection):  # one transaction of many rows, killed before its end
    for i in range(100_000):
        connection.execute(
            "INSERT INTO links (id, owner, url, title, created_at, updated_at) VALUES (?, 'dead', ?, 'x', 1, 1)",
            (f"dead{i}", f"https://example.com/{i}"))
        if i == 5_000:
            print("writing", flush=True)
"""


def test_a_process_killed_in_the_middle_of_a_write_leaves_nothing_half_saved(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    store = SQLiteStore(path)
    listsurf_links(store).upsert(_kept_link())
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert writer.stdout is not None and writer.stdout.readline() == b"writing\n"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(10)
    store.database.close()
    again = SQLiteStore(path)
    assert listsurf_links(again).count("dead") == 0
    assert listsurf_links(again).count("kept") == 1
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        searchable = connection.execute("SELECT count(*) FROM links_search").fetchone()[0]
        assert searchable == connection.execute("SELECT count(*) FROM links").fetchone()[0] == 1


def _kept_link() -> Link:
    draft = Link(id="x", owner="kept", url="https://example.com/kept", title="Kept", created_at=1, updated_at=1)
    return draft.model_copy(update={"id": Link.id_for("kept", draft.url)})
