"""An AutoAPI over a plain pydantic model (not a BrubeckModel), for the integration tests.

Run as ``python -m tests.support.apps.autoapi_app`` with BRUBECK_PULL/BRUBECK_PUB set (the ``serve``
fixture does this): ``/note/`` is the API, ``/form`` a page whose form carries a CSRF token.
"""

import datetime
import os
import uuid

from pydantic import BaseModel, Field

from brubeck.autoapi import AutoAPIBase
from brubeck.connections import Mongrel2Connection
from brubeck.queryset import DictQueryset
from brubeck.request_handling import Brubeck, WebMessageHandler


class Note(BaseModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    text: str = Field(min_length=1)
    due: datetime.date | None = None


class NotesAPI(AutoAPIBase):
    model = Note
    queries = DictQueryset()


class FormPage(WebMessageHandler):
    def get(self):
        self.set_body(str(self.csrf_token))
        return self.render()


def make_app() -> Brubeck:
    app = Brubeck(
        msg_conn=Mongrel2Connection(os.environ["BRUBECK_PULL"], os.environ["BRUBECK_PUB"]),
        handler_tuples=[(r"^/form$", FormPage)],
        cookie_secret="autoapi-app-secret",
    )
    app.register_api(NotesAPI)
    return app


if __name__ == "__main__":
    make_app().run()
