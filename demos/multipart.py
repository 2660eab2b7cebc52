#!/usr/bin/env python
"""File uploads: a multipart form, ``message.files``, and limits on what is kept.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.multipart`` (from the project root) and open
http://localhost:6767/add_file: choose a file and upload it.  The form is
``multipart/form-data`` with a CSRF token in it (``{{ csrf_field() }}``);
the upload is read Brubeck 0.4's way, ``self.message.files['data'][0]['body']``,
and kept in this process's memory: the last 10 uploads, at most 1 MB each.
A larger file is refused with 413, a form without a file with 400.  After
an upload you are sent back to the form, which lists what was uploaded.
"""

import os
from collections import deque
from dataclasses import dataclass

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, HTTPError, http_response
from brubeck.templating import Jinja2Rendering, load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
MAX_FILES = 10
MAX_FILE_BYTES = 1024 * 1024
MAX_NAME_LENGTH = 255


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body)


UPLOADS: deque = deque(maxlen=MAX_FILES)  # newest first; the oldest is dropped past MAX_FILES


class UploadHandler(Jinja2Rendering):
    def get(self):
        """The upload form, and the files uploaded so far."""
        return self.render_template(
            "multipart/upload.html", uploads=list(UPLOADS), max_files=MAX_FILES, max_size="1 MB"
        )

    def post(self):
        """Keep the file posted as ``data``, then go back to the form."""
        if not self.message.files.get("data") or not self.message.files["data"][0]["filename"]:
            raise HTTPError(400, "Choose a file to upload: the form had none.")
        upload = self.message.files["data"][0]
        body = upload["body"]
        if len(body) > MAX_FILE_BYTES:
            raise HTTPError(
                413,
                f"That file is {len(body):,} bytes; this demo keeps files of at most 1 MB ({MAX_FILE_BYTES:,} bytes).",
            )
        name = upload["filename"].replace("\\", "/").rsplit("/", 1)[-1][:MAX_NAME_LENGTH]  # no client paths
        UPLOADS.appendleft(Upload(name, upload["content_type"] or "application/octet-stream", body))
        return self.redirect("/add_file")


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/add_file$", UploadHandler)],
    template_loader=load_jinja2_env(TEMPLATES),
    base_handler=Jinja2Rendering,  # so 404, 400 and 413 pages use errors.html
)


@app.add_route(r"^/$", method="GET")
def index(application, message):
    return http_response("", 302, "Found", {"Location": "/add_file"})


if __name__ == "__main__":
    app.run()
