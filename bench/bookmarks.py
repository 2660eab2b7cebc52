"""Importing a 10,000-bookmark file into Readify through Mongrel2, on the embedded store; and again (all merged).

    .venv/bin/python -m bench.bookmarks [--count 10000]

(The issue calls it ``bench/import.py``; ``import`` is a keyword of Python, so ``python -m bench.import`` would
run but ``bench.import`` could never be imported by name (by ``make check``'s mypy, say): it is
``bench.bookmarks``.)

1. A fresh store with one account; Mongrel2 on free ports with ``readify.web`` and ``readify.api`` behind it, as
   the suite runs them (Mongrel2's 2 MB ``limits.content_length``: the file is streamed to disk).
2. A generated file (:mod:`bench.bookmark_files`: nested folders, tags, private and unread items, titles in
   several scripts, 2% repeated URLs) uploaded on ``/import``; the time from the upload to the job's last
   save, and bookmarks per second.  Meanwhile two clients ask, each 20 times a second, for the account's
   dashboard and for ``/login``: their p99.
3. The same file again: every bookmark merged.

Goals (issue 24): each import under 10 s, the other pages' p99 under 100 ms meanwhile.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import re
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from bench import client, harness
from bench.harness import say
from bench.listsurf_data import PASSWORD
from bench.readify import WEB_HOST, serving
from bench.report import machine_lines, mark, table
from brubeck.csrf import CSRF_FIELD
from brubeck.testing import CSRF_INPUT
from shared.bookmarks.records import import_jobs
from shared.models import User
from shared.store import open_store
from shared.users import create_user
from tests.support.bookmark_files import generated_file

GOAL_S = 10.0
GOAL_P99_MS = 100.0
USERNAME = "importer"
EVERY_S = 0.05
"""How often each sampling client asks for its page (20 a second)."""
JOB = re.compile(r"/import/([0-9a-f]{24})$")


@dataclass
class Sampler:
    """One client asking for ``path`` every :data:`EVERY_S` seconds (or as soon as the last answer came, if
    later), until stopped: a person clicking about, not a load."""

    port: int
    path: str
    headers: dict[str, str]
    times_ms: list[float] = field(default_factory=list)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self._stop.is_set():
            started = time.perf_counter()
            status = client.fetch(self.port, self.path, headers=self.headers).status
            took = time.perf_counter() - started
            self.times_ms.append(took * 1000)
            self.failures += status != 200
            self._stop.wait(max(0.0, EVERY_S - took))

    def p99(self) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] if ordered else float("nan")


@dataclass
class Run:
    """One import: how long it took, and the other pages meanwhile."""

    name: str
    seconds: float
    created: int
    merged: int
    skipped: int
    samplers: list[Sampler]


def upload(port: int, cookie: str, data: bytes) -> tuple[str, str]:
    """POST the file on /import as the form does; (the import's id, the Cookie header to go on with)."""
    form = client.fetch(port, "/import", headers={"Host": WEB_HOST, "Cookie": cookie})
    token = CSRF_INPUT.search(form.body)
    if form.status != 200 or not token:
        raise RuntimeError(f"GET /import answered {form.status} without a CSRF field")
    cookie = client.cookie_header({**dict(part.split("=", 1) for part in cookie.split("; ")), **form.cookies})
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{CSRF_FIELD}"\r\n\r\n{token.group(1)}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="bookmarks.html"\r\n'
            "Content-Type: text/html\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    headers = {"Host": WEB_HOST, "Cookie": cookie, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/import", body=body, headers=headers)
        reply = connection.getresponse()
        reply.read()
    finally:
        connection.close()
    found = JOB.search(reply.headers.get("Location") or "")
    if reply.status != 303 or not found:
        raise RuntimeError(f"POST /import answered {reply.status} ({reply.headers.get('Location')})")
    return found.group(1), cookie


def import_once(name: str, port: int, cookie: str, data: bytes, data_dir: Path) -> Run:
    """Upload the file and wait for its import, with the samplers running meanwhile."""
    headers = {"Host": WEB_HOST, "Cookie": cookie}
    samplers = [Sampler(port, "/", headers), Sampler(port, "/login", {"Host": WEB_HOST})]
    threads = [threading.Thread(target=sampler.run, daemon=True) for sampler in samplers]
    for thread in threads:
        thread.start()
    started = time.time()
    job_id, cookie = upload(port, cookie, data)
    store = open_store(None, data_dir)
    try:
        while True:
            job = import_jobs(store).get(job_id)
            if job is None or job.finished:
                break
            say(f"  {job.done:,} of {job.total:,}")
            time.sleep(0.5)
    finally:
        store.close()
        for sampler in samplers:
            sampler._stop.set()
        for thread in threads:
            thread.join()
    if job is None or job.state != "done":
        raise RuntimeError(f"the import ended {job.state if job else 'missing'}: {job.message if job else ''}")
    seconds = job.updated_at / 1000 - started  # from sending the file to the job's last save
    return Run(name, seconds, job.created, job.merged, job.skipped_count, samplers)


def report(runs: list[Run], count: int, size: int, started: datetime.datetime, load: tuple[str, str]) -> list[str]:
    rows = []
    for run in runs:
        dashboard, login = run.samplers
        rows.append(
            [
                run.name,
                f"{run.seconds:.2f} s",
                f"{count / run.seconds:,.0f}",
                f"{run.created:,} / {run.merged:,} / {run.skipped:,}",
                f"{dashboard.p99():.1f} ms ({len(dashboard.times_ms):,})",
                f"{login.p99():.1f} ms ({len(login.times_ms):,})",
                mark(run.seconds < GOAL_S and max(dashboard.p99(), login.p99()) < GOAL_P99_MS),
            ]
        )
    head = [
        f"{count:,} bookmarks ({size / 1024 / 1024:.1f} MB)",
        "time",
        "bookmarks/s",
        "new / merged / skipped",
        "dashboard p99 (requests)",
        "`/login` p99 (requests)",
        "< 10 s, p99 < 100 ms",
    ]
    return [
        "",
        *machine_lines(started),
        f"load average: {load[0]} before, {load[1]} after",
        "",
        *table(head, "lrrrrrc", rows),
    ]


def measure(args: argparse.Namespace, folder: Path) -> list[str]:
    started = datetime.datetime.now().astimezone()
    load_before = harness.load_average()
    data_dir = folder / "data"
    store = open_store(None, data_dir)
    user = User(username=USERNAME)
    user.set_password(PASSWORD)
    create_user(store, user)
    store.close()
    say(f"[file] generating {args.count:,} bookmarks…")
    data = generated_file(args.count)
    runs = []
    with serving(data_dir, folder / "mongrel2") as readify:
        port = readify.servers.port
        cookie = client.sign_in(port, USERNAME, PASSWORD, {"Host": WEB_HOST})
        for name in ("first import", "the same file again (all merged)"):
            say(f"[{name}]")
            run = import_once(name, port, cookie, data, data_dir)
            dashboard, login = (sampler.p99() for sampler in run.samplers)
            say(f"  {run.seconds:.2f} s; p99: dashboard {dashboard:.1f} ms, /login {login:.1f} ms")
            runs.append(run)
    return report(runs, args.count, len(data), started, (load_before, harness.load_average()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="bookmarks in the file (default 10,000)")
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 200_000:
        parser.error("--count must be between 1 and 200,000")
    return harness.run("bench.bookmarks", lambda folder: measure(args, folder))


if __name__ == "__main__":
    sys.exit(main())
