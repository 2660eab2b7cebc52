"""Importing and exporting bookmark files on Readify, in this process: the rules (what is kept, merged,
skipped), the round trip of a generated 10,000-bookmark file, the shapes browsers and bookmark sites write,
a job taken over after its worker died, and the pages.

tests/readify/test_imports_live.py does it through Mongrel2 (and kills a process halfway),
tests/readify/test_browser.py in Chromium.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from brubeck.timekeeping import curtime
from readify.bookmarks import exported, save_bookmarks
from readify.imports import BOOKMARKS, SITE
from readify.models import ReadifyLink
from readify.profiles import get_profile
from readify.store import readify_links
from shared.bookmarks import runner
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.netscape import Bookmark, read_bookmarks
from shared.bookmarks.records import import_jobs
from shared.store import Store
from tests.readify.pages import Reader
from tests.support.bookmark_files import generated_file
from tests.support.bookmark_shapes import CHROMIUM, FIREFOX, PINBOARD, SHAARLI
from tests.support.imports import (
    LIMIT,
    finished,
    imports_settled,  # noqa: F401  (the fixture, used below)
)
from tests.support.imports import imported as imported_on
from tests.support.pages import elements

pytestmark = pytest.mark.usefixtures("imports_settled")


def imported(store: Store, owner: str, data: bytes, limit: int = LIMIT) -> ImportJob:
    return imported_on(BOOKMARKS, store, owner, data, limit)


def library(store: Store, owner: str) -> dict[str, tuple[object, ...]]:
    """Each of the owner's links by URL: what a bookmark file carries (dates in whole seconds)."""
    return {
        b.url: (
            b.title,
            b.description,
            tuple(b.tags),
            b.created_at // 1000,
            (b.updated_at or 0) // 1000,
            b.private,
            b.unread,
        )  # type: ignore[operator]
        for b in exported(store, owner)
    }


def links_of(store: Store, owner: str) -> list[ReadifyLink]:
    return readify_links(store).find_urls(owner, list(library(store, owner)))


# -- the round trip ----------------------------------------------------------------------------------------


def test_a_generated_file_round_trips_through_an_export_into_a_fresh_account(store):
    data = generated_file(10_000)
    first = imported(store, "alice", data)
    unique = {b.url for b in read_bookmarks(iter([data]))}
    assert (first.state, first.total, first.done, first.skipped_count) == ("done", 10_000, 10_000, 0)
    assert (first.created, first.merged) == (len(unique), 10_000 - len(unique))
    alice = library(store, "alice")
    assert len(alice) == len(unique) and len(unique) < 10_000  # the file repeats some URLs
    assert any(tags for _, _, tags, *_ in alice.values()) and any(v[5] for v in alice.values())
    assert any("Ёлка" in v[0] or "東京" in v[0] for v in alice.values())
    assert any('"quoted" <b>' in str(v[0]) for v in alice.values())

    again = imported(store, "bob", b"".join(BOOKMARKS.file(store, "alice")))
    assert (again.created, again.merged, again.skipped_count) == (len(unique), 0, 0)
    assert library(store, "bob") == alice


def test_importing_the_same_file_twice_merges_every_bookmark_and_creates_nothing(store):
    data = generated_file(600, seed=3)
    imported(store, "alice", data)
    before = library(store, "alice")
    second = imported(store, "alice", data)
    assert (second.created, second.merged, second.skipped_count) == (0, 600, 0)
    assert library(store, "alice") == before


def test_a_merge_adds_the_tags_keeps_the_older_date_and_fills_what_was_empty(store):
    first = Bookmark("https://e.example/", title="", tags=["a"], created_at=2_000_000_000_000)
    assert save_bookmarks(store, "alice", [first]) == ["created"]
    later = Bookmark("https://e.example/", title="T", description="D", tags=["b"], created_at=1_000_000_000_000)
    assert save_bookmarks(store, "alice", [later]) == ["merged"]
    (link,) = links_of(store, "alice")
    assert (link.tags, link.created_at, link.title, link.description) == (["a", "b"], 1_000_000_000_000, "T", "D")


# -- what is kept, and what is skipped -----------------------------------------------------------------------


def test_seconds_milliseconds_and_microseconds_are_all_read_as_the_same_time(store):
    file = b"".join(
        b'<DT><A HREF="https://e.example/%d" ADD_DATE="%d">t</A>\n' % (n, value)
        for n, value in enumerate([1_600_000_000, 1_600_000_000_000, 1_600_000_000_000_000])
    )
    job = imported(store, "alice", b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n" + file)
    assert job.created == 3
    assert {link.created_at for link in links_of(store, "alice")} == {1_600_000_000_000}


def test_what_cannot_be_saved_is_skipped_counted_and_named_and_the_rest_goes_on(store):
    rows = [
        '<DT><A HREF="javascript:alert(1)">Script</A>',
        '<DT><A HREF="place:sort=8">Most visited</A>',
        f'<DT><A HREF="https://long.example/">{"x" * 501}</A>',
        '<DT><A HREF="https://exa mple.com/">Space</A>',
        '<DT><A HREF="https://fine.example/">Fine</A>',
    ]
    job = imported(store, "alice", ("<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p>" + "\n".join(rows)).encode())
    assert (job.created, job.skipped_count) == (1, 4)
    assert [url for url, _, _ in job.skipped] == [
        "javascript:alert(1)",
        "place:sort=8",
        "https://long.example/",
        "https://exa mple.com/",
    ]
    assert job.reasons["Only http:// and https:// links can be saved."] == 2
    assert any("title" in reason and "500" in reason for reason in job.reasons)


def test_the_accounts_link_limit_is_kept_and_reported(store):
    data = generated_file(10, duplicates=0)
    job = imported(store, "alice", data, limit=4)
    assert (job.created, job.skipped_count) == (4, 6)
    (reason,) = job.reasons
    assert "at most 4 links" in reason
    assert readify_links(store).count("alice") == 4


@pytest.mark.parametrize(
    ("shape", "created", "merged", "skipped"),
    [(FIREFOX, 3, 1, 2), (CHROMIUM, 3, 0, 1), (PINBOARD, 3, 0, 0), (SHAARLI, 2, 0, 1)],
    ids=["firefox", "chromium", "pinboard", "shaarli"],
)
def test_the_files_browsers_and_bookmark_sites_write_are_imported(store, shape, created, merged, skipped):
    job = imported(store, "alice", shape.encode())
    assert (job.created, job.merged, job.skipped_count) == (created, merged, skipped)


def test_firefox_folders_and_tags_become_tags_and_the_browsers_own_folders_do_not(store):
    imported(store, "alice", FIREFOX.encode())
    links = {link.url: link for link in links_of(store, "alice")}
    soup = links["https://example.org/soup"]
    assert (soup.tags, soup.created_at, soup.title) == (["cooking", "food"], 1_600_000_000_000, "Soup & bread")
    assert links["https://news.example.com/"].tags == []
    firefox = links["https://www.mozilla.org/en-US/firefox/"]
    assert (firefox.tags, firefox.description, firefox.updated_at) == (
        ["browser", "mozilla"],
        "The browser",
        1_700_000_002_000,
    )


def test_chromium_titles_in_any_script_survive(store):
    imported(store, "alice", CHROMIUM.encode())
    links = {link.url: link for link in links_of(store, "alice")}
    assert links["https://ja.wikipedia.org/wiki/東京"].title == "東京 - Wikipedia 🗼"
    assert links["https://ja.wikipedia.org/wiki/東京"].tags == ["other-bookmarks"]
    assert links["https://developer.mozilla.org/ru/"].tags == ["dev-docs"]


def test_pinboard_toread_private_and_descriptions_are_kept_whatever_the_setting_for_new_links(store):
    assert get_profile(store, "alice").new_links_private  # the file's own flags, never the setting
    imported(store, "alice", PINBOARD.encode())
    links = {link.url: link for link in links_of(store, "alice")}
    first, read, old = (
        links["https://pinboard.in/"],
        links["https://example.net/read"],
        links["http://old.example.net/page?a=1&b=2"],
    )
    assert (first.archived, read.archived, read.private, first.private) == (False, True, True, False)
    assert first.description == "Social bookmarking for introverts."
    assert (old.title, old.description) == ("Old <page>", 'Query strings & "quotes"')


def test_the_export_escapes_quotes_and_angle_brackets_and_reads_back_the_same(store):
    title = 'He said "<script>alert(1)</script>" & left'
    save_bookmarks(
        store, "alice", [Bookmark("https://e.example/?a=1&b=2", title=title, description='"<d>"', tags=["x"])]
    )
    body = b"".join(BOOKMARKS.file(store, "alice")).decode()
    assert "<script>" not in body and "&quot;&lt;script&gt;" in body
    (back,) = read_bookmarks(iter([body.encode()]))
    assert (back.url, back.title, back.description, back.tags) == ("https://e.example/?a=1&b=2", title, '"<d>"', ["x"])


# -- a job whose worker died ------------------------------------------------------------------------------------


@pytest.fixture
def dead_pid() -> int:
    """The id of a process of this host that has ended."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_job_whose_worker_died_halfway_is_taken_over_and_nothing_is_doubled(store, dead_pid, monkeypatch):
    data = generated_file(1_200, duplicates=0)
    monkeypatch.setattr(runner, "BATCH", 500)
    chunks = list(runner.split_file(data))
    job = ImportJob(ImportJob.new_id(), SITE, "alice", "b.html", len(chunks), curtime(), total=1_200)
    import_jobs(store).create(job, chunks)
    dead = f"{runner.WORKER.rpartition(':')[0]}:{dead_pid}"
    claimed = import_jobs(store).claim(job.id, dead, curtime(), curtime() + 60_000)
    assert claimed is not None
    first_batch = list(read_bookmarks(iter(chunks)))[:500]  # the dead worker saved a batch and a half:
    save_bookmarks(store, "alice", first_batch)
    claimed.done = claimed.created = 500
    assert import_jobs(store).save(claimed)
    save_bookmarks(store, "alice", list(read_bookmarks(iter(chunks)))[500:750])  # ...the half not noted

    assert runner.resume_stalled(store, SITE, BOOKMARKS.saver(store, LIMIT)) == 1
    done = finished(store, job.id)
    assert (done.state, done.done, done.created + done.merged) == ("done", 1_200, 1_200)
    assert readify_links(store).count("alice") == 1_200
    assert import_jobs(store).chunk(job.id, 0) is None  # the file goes with the job


def test_a_job_just_started_is_not_started_twice_by_a_look_at_its_progress(store):
    job = BOOKMARKS.start(store, "alice", "p.html", PINBOARD.encode(), LIMIT)  # its greenlet has not run yet
    assert runner.resume_stalled(store, SITE, BOOKMARKS.saver(store, LIMIT)) == 0
    done = finished(store, job.id)
    assert (done.done, done.created, done.merged) == (3, 3, 0)


def test_a_job_held_by_a_live_worker_is_left_to_it(store):
    chunks = list(runner.split_file(generated_file(10)))
    job = ImportJob(ImportJob.new_id(), SITE, "alice", "b.html", len(chunks), curtime(), total=10)
    import_jobs(store).create(job, chunks)
    assert import_jobs(store).claim(job.id, "elsewhere:1", curtime(), curtime() + 60_000) is not None
    assert runner.resume_stalled(store, SITE, BOOKMARKS.saver(store, LIMIT)) == 0
    assert import_jobs(store).claim(job.id, runner.WORKER, curtime(), curtime() + 60_000) is None


# -- the pages ------------------------------------------------------------------------------------------------


def upload(reader: Reader, data: bytes, name: str = "bookmarks.html", csrf: bool = True) -> object:
    fields = {"_csrf": reader.csrf_token("/import")} if csrf else {}
    return reader.post("/import", data=fields, files={"file": (name, data, "text/html")})


def test_the_import_page_needs_a_login(visitor):
    assert visitor.get("/import").location.startswith("/login")
    assert visitor.get("/export").location.startswith("/login")


def test_uploading_a_file_shows_its_progress_until_it_is_done_and_the_links_are_on_the_dashboard(alice, store):
    response = upload(alice, PINBOARD.encode())
    assert response.status == 303 and re.fullmatch(r"/import/[0-9a-f]{24}", response.location)
    page = alice.get(response.location)
    assert page.status == 200
    refresh = [m for m in elements(page.text, "meta") if m.get("http-equiv") == "refresh"]
    if 'data-state="done"' not in page.text:
        assert refresh and refresh[0]["content"] == "2"
    finished(store, response.location.rsplit("/", 1)[1])
    done = alice.get(response.location).text
    assert 'data-state="done"' in done and "Done: 3 of 3" in done
    assert not [m for m in elements(done, "meta") if m.get("http-equiv") == "refresh"]
    assert "Pinboard" in alice.get("/").text
    assert "bookmarks.html" in alice.get("/import").text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty"),
        (b"name,url\nx,https://e.com/\n", "not a bookmark file"),
        (b"\x89PNG\r\n\x1a\n", "not a bookmark file"),
    ],
)
def test_a_file_that_is_not_bookmarks_is_refused_with_a_message(alice, body, message):
    response = upload(alice, body)
    assert response.status == 400 and message in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_form_without_a_file_or_its_token_is_refused(alice, store):
    no_file = alice.post_form("/import", {})
    assert no_file.status == 400 and "Choose one bookmark file" in no_file.text
    assert upload(alice, PINBOARD.encode(), csrf=False).status == 403
    assert import_jobs(store).latest(SITE, "alice", 5) == []


def test_another_readers_import_is_not_found(alice, signed_up, store):
    location = upload(alice, PINBOARD.encode()).location
    assert signed_up("bob").get(location).status == 404
    finished(store, location.rsplit("/", 1)[1])


def test_the_export_is_a_bookmark_file_named_with_the_day(alice, store):
    upload(alice, FIREFOX.encode())
    finished(store, import_jobs(store).latest(SITE, "alice", 1)[0].id)
    response = alice.get("/export")
    assert response.status == 200
    assert re.fullmatch(
        r'attachment; filename="readify-bookmarks-\d{4}-\d{2}-\d{2}\.html"', response.headers["Content-Disposition"]
    )
    assert response.text.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    assert {b.url for b in read_bookmarks(iter([response.body]))} == set(library(store, "alice"))


def test_tags_and_folders_in_any_script_and_emoji_survive(store):
    file = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
<DT><H3>Книги 📚</H3>
<DL><p>
<DT><A HREF="https://example.org/war-and-peace" ADD_DATE="1600000000" TAGS="классика,読書,🎉,👩‍💻">Война и мир</A>
</DL><p>
</DL><p>
"""
    imported(store, "alice", file.encode())
    [link] = links_of(store, "alice")
    assert link.title == "Война и мир"
    assert link.tags == ["классика", "読書", "🎉", "👩\u200d💻", "книги-📚"]
