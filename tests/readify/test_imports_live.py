"""Importing bookmark files through a real Mongrel2 (a file over its 2 MB ``limits.content_length`` is streamed to
disk, then read by the handler), and an import whose process is killed halfway, taken over once it is back.

Every rule is in tests/readify/test_imports.py, in process.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable

import pytest

from readify.bookmarks import exported
from shared.bookmarks.netscape import Bookmark, read_bookmarks
from shared.store import open_store
from tests.readify.live import ReaderClient, signed_up
from tests.readify.pages import import_progress
from tests.readify.test_imports import imported
from tests.support.bookmark_files import generated_file

pytestmark = pytest.mark.integration
MONGREL2_BODY_LIMIT = 1024 * 1024
"""Mongrel2's ``limits.content_length`` in the first test (the suite's: 2 MB): a larger body goes to a file."""


def upload(client: ReaderClient, data: bytes) -> str:
    """Upload a bookmark file on /import; the import's page."""
    token = client.csrf_token("/import")
    response = client.post("/import", data={"_csrf": token}, files={"file": ("bookmarks.html", data, "text/html")})
    assert response.status_code == 303, response.text
    return str(response.headers["Location"])


def progress_until(client: ReaderClient, page: str, done: Callable[[str, int, int], bool]) -> tuple[str, int, int]:
    """Read the import's page (as its META refresh would, more often) until ``done(state, read, total)``."""
    for _ in range(1200):
        seen = import_progress(client.get(page).text)
        if done(*seen):
            return seen
        time.sleep(0.1)
    raise AssertionError(f"the import at {page} stayed at {seen}")


def exported_links(client: ReaderClient) -> dict[str, tuple[object, ...]]:
    response = client.get("/export")
    assert response.status_code == 200
    return {b.url: kept(b) for b in read_bookmarks(iter([response.content]))}


def kept(bookmark: Bookmark) -> tuple[object, ...]:
    """What an import keeps of a bookmark, but its time of change (a merge's is the time it happened)."""
    b = bookmark
    return (b.title, b.description, tuple(b.tags), b.created_at, b.private, b.unread)


def test_a_file_larger_than_mongrel2_keeps_in_memory_is_imported_and_exported(site):
    readify = site("readify", module="readify.web", content_length=MONGREL2_BODY_LIMIT)
    alice = signed_up(readify, "alice")
    data = generated_file(10_000)
    assert len(data) > MONGREL2_BODY_LIMIT  # Mongrel2 streams it to a file
    page = upload(alice, data)
    state, read, total = progress_until(alice, page, lambda state, *_: state == "done")
    assert (read, total) == (10_000, 10_000)
    links = exported_links(alice)
    assert set(links) == {b.url for b in read_bookmarks(iter([data]))}
    assert len(alice.ids_on("/")) == 50


def test_an_import_whose_process_is_killed_halfway_is_taken_over_when_it_is_back(readify, tmp_path):
    alice = signed_up(readify, "alice")
    data = generated_file(20_000, seed=7)
    page = upload(alice, data)
    _, read, total = progress_until(alice, page, lambda state, read, total: read > 0)
    assert read < total, "the import ended before its process could be killed"
    readify.processes[0].send_signal(signal.SIGKILL)
    readify.processes[0].wait()
    readify.start_app(*readify.commands[0], ready_path="/login")

    state, read, total = progress_until(alice, page, lambda state, *_: state == "done")
    assert (state, read, total) == ("done", 20_000, 20_000)
    reference = open_store(None, tmp_path / "reference")
    imported(reference, "alice", data)  # the same file imported without interruption
    expected = {b.url: kept(b) for b in exported(reference, "alice")}
    reference.close()
    assert exported_links(alice) == expected  # every link whole, none twice


def test_the_export_is_sent_in_chunks_as_it_is_made(readify):
    alice = signed_up(readify, "alice")
    page = upload(alice, generated_file(2_000, seed=9))
    progress_until(alice, page, lambda state, *_: state == "done")
    response = alice.get("/export", stream=True)
    assert response.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in response.headers
    assert response.headers["Content-Disposition"].startswith('attachment; filename="readify-bookmarks-')
    pieces = list(response.iter_content(chunk_size=None))
    assert len(pieces) > 1
    assert len(list(read_bookmarks(iter(pieces)))) == len(exported_links(alice)) > 1_900
    assert alice.get("/").status_code == 200  # the connection goes on
