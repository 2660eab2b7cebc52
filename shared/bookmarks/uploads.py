"""What an upload of a bookmark file must be, checked the same way by every page and API that takes one."""

from __future__ import annotations

from datetime import UTC, datetime

from brubeck.datastructures import UploadedFile

from .netscape import SNIFF_BYTES, looks_like_bookmarks

MAX_FILE_BYTES = 50 * 1024 * 1024
"""The largest bookmark file taken (the routes' ``max_upload_size`` leaves room for the form around it)."""
MAX_FORM_BYTES = MAX_FILE_BYTES + 64 * 1024
FIELD = "file"
NOT_BOOKMARKS = (
    "This is not a bookmark file. Export your bookmarks as HTML (the “Netscape bookmark file” every browser "
    "and bookmark site writes) and upload that."
)


class BadUpload(ValueError):
    """The upload is not a bookmark file we take; the message says why, for a person."""


def bookmark_file(files: dict[str, list[UploadedFile]], fields: dict[str, list[str]] | None = None) -> UploadedFile:
    """The bookmark file of a form's ``file`` field (an uploaded file, or with ``fields`` its text sent as a
    plain field); :class:`BadUpload` when there is none, or it is too large, empty, or not a bookmark file."""
    uploads = files.get(FIELD) or [
        UploadedFile("", "text/html", text.encode()) for text in (fields or {}).get(FIELD, [])
    ]
    if len(uploads) != 1:
        raise BadUpload("Choose one bookmark file to upload.")
    upload = uploads[0]
    if not upload.body:
        raise BadUpload("That file is empty.")
    if len(upload.body) > MAX_FILE_BYTES:
        raise BadUpload(f"That file is over {MAX_FILE_BYTES // 1024 // 1024} MB.")
    if not looks_like_bookmarks(upload.body[:SNIFF_BYTES]):
        raise BadUpload(NOT_BOOKMARKS)
    return upload


def attachment(site: str, now_ms: int) -> str:
    """An export's ``Content-Disposition``: a download named for the site and the day
    (``readify-bookmarks-2026-12-07.html``)."""
    day = datetime.fromtimestamp(now_ms / 1000, UTC).strftime("%Y-%m-%d")
    return f'attachment; filename="{site.lower()}-bookmarks-{day}.html"'
