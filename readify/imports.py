"""``/import`` (upload a bookmark file), ``/import/<id>`` (how far its import has got) and ``/export``."""

from __future__ import annotations

from collections.abc import Iterator

from brubeck.auth import web_authenticated
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.records import import_jobs
from shared.bookmarks.runner import Saver, resume_stalled, start_import
from shared.bookmarks.uploads import MAX_FORM_BYTES, BadUpload, bookmark_file, export_filename
from shared.bookmarks.writer import file_pieces
from shared.store import Store

from .bookmarks import exported, save_bookmarks
from .pages import ReadifyPage

SITE = "readify"
REFRESH_SECONDS = 2
NO_SUCH_IMPORT = "You have no import with that id."


def saver(store: Store, limit: int) -> Saver:
    """What saves an import's batches on ``store`` for an account keeping at most ``limit`` links."""
    return lambda owner, bookmarks: save_bookmarks(store, owner, bookmarks, limit=limit)


def own_job(store: Store, owner: str, job_id: str, limit: int) -> ImportJob:
    """The owner's import job (taken over first if its worker died); 404 otherwise."""
    job = import_jobs(store).get(job_id)
    if job is None or job.owner != owner or job.site != SITE:
        raise HTTPError(404, NO_SUCH_IMPORT)
    if not job.finished:
        resume_stalled(store, SITE, saver(store, limit))
    return job


def export_pieces(store: Store, owner: str) -> Iterator[bytes]:
    """The owner's links as a bookmark file, made a piece at a time."""
    return file_pieces(exported(store, owner))


class ImportHandler(ReadifyPage):
    """``/import``: the upload form and the last imports; POST starts an import and shows its progress."""

    max_upload_size = MAX_FORM_BYTES

    def page(self, status: int = 200, error: str = "") -> Response:
        jobs = import_jobs(self.store).latest(SITE, self.current_user.id, 10)
        return self.render_template("import.html", _status_code=status, jobs=jobs, error=error)

    @web_authenticated
    def get(self) -> Response:
        return self.page()

    @web_authenticated
    def post(self) -> Response:
        try:
            upload = bookmark_file(self.message.files)
        except BadUpload as error:
            return self.page(400, str(error))
        limit = self.application.config.links_per_account
        owner = self.current_user.id
        job = start_import(self.store, SITE, owner, upload.filename, upload.body, saver(self.store, limit))
        return self.redirect(f"/import/{job.id}", status_code=303)


class ImportProgressHandler(ReadifyPage):
    """``/import/<id>``: an import's progress, reloading itself (a META refresh) until it is over."""

    @web_authenticated
    def get(self, job_id: str) -> Response:
        job = own_job(self.store, self.current_user.id, job_id, self.application.config.links_per_account)
        return self.render_template("import_job.html", job=job, refresh=0 if job.finished else REFRESH_SECONDS)


class ExportHandler(ReadifyPage):
    """``/export``: every link out of the trash as a bookmark file, named with the day."""

    @web_authenticated
    def get(self) -> Response:
        self.headers["Content-Type"] = "text/html; charset=utf-8"
        self.headers["Content-Disposition"] = f'attachment; filename="{export_filename(SITE, self.current_time)}"'
        self.headers["Cache-Control"] = "no-store"
        return self.stream(export_pieces(self.store, self.current_user.id))
