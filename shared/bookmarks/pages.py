"""The pages of bookmark files, for any site: ``/import`` (upload a file), ``/import/<id>`` (how far its import
has got, reloading itself until it is over) and ``/export`` (every link as a file, streamed).

A site says what it keeps in a :class:`BookmarkSite` and adds :func:`bookmark_routes` to its routes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import ClassVar, Protocol

from brubeck.auth import web_authenticated
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from shared.store import Store
from shared.web import PageHandler

from .jobs import ImportJob
from .netscape import Bookmark
from .records import import_jobs
from .runner import Saver, resume_stalled, start_import
from .uploads import MAX_FORM_BYTES, BadUpload, attachment, bookmark_file
from .writer import file_pieces

REFRESH_SECONDS = 2
NO_SUCH_IMPORT = "You have no import with that id."


class SaveBookmarks(Protocol):
    def __call__(self, store: Store, owner: str, bookmarks: list[Bookmark], *, limit: int) -> list[str]:
        """Save a batch of bookmarks for ``owner``, who keeps at most ``limit`` links; what became of each."""


@dataclass(frozen=True)
class BookmarkSite:
    """How a site imports and exports: its name (its jobs'), how it saves a batch of bookmarks, its links as
    bookmarks, and what the import page says is kept."""

    name: str
    save: SaveBookmarks
    exported: Callable[[Store, str], Iterator[Bookmark]]
    kept: str

    def saver(self, store: Store, limit: int) -> Saver:
        """What saves an import's batches on ``store`` for an account keeping at most ``limit`` links."""
        return lambda owner, bookmarks: self.save(store, owner, bookmarks, limit=limit)

    def own_job(self, store: Store, owner: str, job_id: str, limit: int) -> ImportJob:
        """The owner's import on this site (taken over first if its worker died); 404 otherwise."""
        job = import_jobs(store).get(job_id)
        if job is None or job.owner != owner or job.site != self.name:
            raise HTTPError(404, NO_SUCH_IMPORT)
        if not job.finished:
            resume_stalled(store, self.name, self.saver(store, limit))
        return job

    def start(self, store: Store, owner: str, filename: str, data: bytes, limit: int) -> ImportJob:
        """Start importing a bookmark file for ``owner``."""
        return start_import(store, self.name, owner, filename, data, self.saver(store, limit))

    def file(self, store: Store, owner: str) -> Iterator[bytes]:
        """The owner's links as a bookmark file, made a piece at a time."""
        return file_pieces(self.exported(store, owner))


class BookmarkPage(PageHandler):
    """A page of a site's bookmark files."""

    bookmarks: ClassVar[BookmarkSite]

    @property
    def limit(self) -> int:
        return self.application.config.links_per_account


class ImportPage(BookmarkPage):
    """``/import``: the upload form and the last imports; POST starts an import and shows its progress."""

    max_upload_size = MAX_FORM_BYTES

    def page(self, status: int = 200, error: str = "") -> Response:
        """The form; with no ``error``, the last imports under it."""
        jobs = [] if error else import_jobs(self.store).latest(self.bookmarks.name, self.current_user.id, 10)
        return self.render_template(
            "bookmarks/import.html", _status_code=status, jobs=jobs, error=error, kept=self.bookmarks.kept
        )

    @web_authenticated
    def get(self) -> Response:
        return self.page()

    @web_authenticated
    def post(self) -> Response:
        try:
            upload = bookmark_file(self.message.files)
        except BadUpload as error:
            return self.page(400, str(error))
        job = self.bookmarks.start(self.store, self.current_user.id, upload.filename, upload.body, self.limit)
        return self.redirect(f"/import/{job.id}", status_code=303)


class ImportProgressPage(BookmarkPage):
    """``/import/<id>``: an import's progress, reloading itself (a META refresh) until it is over."""

    @web_authenticated
    def get(self, job_id: str) -> Response:
        job = self.bookmarks.own_job(self.store, self.current_user.id, job_id, self.limit)
        refresh = 0 if job.finished else REFRESH_SECONDS
        return self.render_template("bookmarks/import_job.html", job=job, refresh=refresh)


class ExportPage(BookmarkPage):
    """``/export``: every link as a bookmark file named with the day, sent as it is made."""

    @web_authenticated
    def get(self) -> Response:
        self.headers["Content-Type"] = "text/html; charset=utf-8"
        self.headers["Content-Disposition"] = attachment(self.bookmarks.name, self.current_time)
        self.headers["Cache-Control"] = "no-store"
        return self.stream(self.bookmarks.file(self.store, self.current_user.id))


def bookmark_routes(site: BookmarkSite) -> list[tuple[str, type]]:
    """The routes of the bookmark pages of ``site``, for its ``handler_tuples``."""
    pages: list[tuple[str, type[BookmarkPage]]] = [
        (r"/import$", ImportPage),
        (r"/import/(?P<job_id>[0-9a-f]{24})$", ImportProgressPage),
        (r"/export$", ExportPage),
    ]
    return [(pattern, type(page.__name__, (page,), {"bookmarks": site})) for pattern, page in pages]
