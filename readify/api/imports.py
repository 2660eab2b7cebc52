"""The API's imports and export: ``POST /import`` (a bookmark file, imported in the background),
``GET /import/{id}`` (how far it has got) and ``GET /export`` (every link as a bookmark file)."""

from __future__ import annotations

from pydantic import Field

from brubeck.exceptions import HTTPError
from brubeck.openapi import Reply
from brubeck.responses import Response
from shared.bookmarks.jobs import ImportJob
from shared.bookmarks.netscape import STARTS
from shared.bookmarks.uploads import MAX_FILE_BYTES, MAX_FORM_BYTES, BadUpload, attachment, bookmark_file

from ..imports import BOOKMARKS
from .handlers import ReaderEndpoint
from .operations import operation
from .schema import LINK_ID, MS, Closed, Error

UPLOAD = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "contentMediaType": "text/html",
            "pattern": STARTS,
            "description": f"a Netscape bookmark file, at most {MAX_FILE_BYTES // 1024 // 1024} MB: its DOCTYPE "
            "first (in letters of any case)",
        }
    },
}
BOOKMARK_FILE = {"type": "string", "description": "a Netscape bookmark file (<!DOCTYPE NETSCAPE-Bookmark-file-1>)"}


class SkippedBookmark(Closed):
    url: str
    title: str
    reason: str = Field(description="why it was not saved")


class Import(Closed):
    """An import of a bookmark file: its state and counts so far."""

    id: str = Field(pattern=LINK_ID)
    state: str = Field(description="queued, running, done or failed")
    filename: str
    total: int = Field(description="the bookmarks in the file")
    done: int = Field(description="the bookmarks read so far, saved or skipped")
    created: int = Field(description="new links")
    merged: int = Field(description="bookmarks merged into a link you had (tags added, the older date kept)")
    skipped: int = Field(description="bookmarks not saved")
    reasons: dict[str, int] = Field(description="how many were skipped for each reason")
    skipped_items: list[SkippedBookmark] = Field(description="the first 100 skipped")
    message: str = Field(description="why a failed import stopped")
    created_at: int = Field(description=MS)
    updated_at: int = Field(description=MS)

    @classmethod
    def of(cls, job: ImportJob) -> dict[str, object]:
        return cls.model_validate(job.to_api()).model_dump()


class ImportsHandler(ReaderEndpoint):
    """``/import``: POST a bookmark file (multipart, field ``file``) to import it in the background."""

    path = "/import"
    max_upload_size = MAX_FORM_BYTES
    operations = {
        "post": operation(
            "Import a bookmark file",
            {
                202: Reply("Started: GET its Location to follow it", Import, {"Location": "the import's URL"}),
                413: Reply(f"The file is over {MAX_FILE_BYTES // 1024 // 1024} MB", Error),
                415: Reply("The body is not sent as multipart/form-data", Error),
            },
            body=UPLOAD,
            body_type="multipart/form-data",
            description="The import runs in the background; a URL you have already is merged (tags added, "
            "the older date kept); what cannot be saved is skipped and named.",
        )
    }

    def post(self) -> Response:
        if self.message.content_type != "multipart/form-data":
            raise HTTPError(415, "Send the file as multipart/form-data, in the field file.")
        try:
            upload = bookmark_file(self.message.files, self.message.arguments)
        except BadUpload as error:
            raise HTTPError(400, str(error), {"file": str(error)}) from None
        limit = self.application.config.links_per_account
        job = BOOKMARKS.start(self.store, self.owner, upload.filename, upload.body, limit)
        self.headers["Location"] = f"{self.application.site.url}/import/{job.id}"
        return self.reply(202, Import.of(job))


class ImportHandler(ReaderEndpoint):
    """``/import/{id}``: one of the reader's imports."""

    path = "/import/{import_id}"
    path_patterns = {"import_id": "[0-9a-f]{24}"}
    operations = {
        "get": operation(
            "Follow an import",
            {200: Reply("The import", Import), 404: Reply("You have no import with that id", Error)},
        )
    }

    def get(self, import_id: str) -> Response:
        job = BOOKMARKS.own_job(self.store, self.owner, import_id, self.application.config.links_per_account)
        return self.reply(200, Import.of(job))


class ExportHandler(ReaderEndpoint):
    """``/export``: every link of the reader out of the trash, as a bookmark file."""

    path = "/export"
    operations = {
        "get": operation(
            "Export your links as a bookmark file",
            {
                200: Reply(
                    "The file (Firefox, Chromium and bookmark sites import it)",
                    BOOKMARK_FILE,
                    {"Content-Disposition": "attachment, with a file name carrying the day"},
                    media_type="text/html",
                )
            },
        )
    }

    def get(self) -> Response:
        self.headers["Content-Type"] = "text/html; charset=utf-8"
        self.headers["Content-Disposition"] = attachment(BOOKMARKS.name, self.current_time)
        return self.stream(BOOKMARKS.file(self.store, self.owner), 200)
