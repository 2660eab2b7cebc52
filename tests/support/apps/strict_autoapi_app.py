"""An AutoAPI for schemathesis: notes whose model is strict, so that what its schema says is what it takes
(a lax pydantic model also takes ``"5"`` for an integer, a strict one refuses ``5.0``, which JSON Schema
counts as an integer: :data:`WholeNumber` takes it).

Run as ``python -m tests.support.apps.strict_autoapi_app`` with BRUBECK_PULL/BRUBECK_PUB set.
"""

import os
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field

from brubeck.autoapi import AutoAPIBase
from brubeck.connections import Mongrel2Connection
from brubeck.models import BrubeckModel
from brubeck.queryset import DictQueryset
from brubeck.request_handling import Brubeck


def _whole(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


WholeNumber = Annotated[int, Field(ge=-(10**9), le=10**9), BeforeValidator(_whole)]
"""A JSON Schema integer (5.0 too), in bounds far inside what a float holds exactly."""


class Note(BrubeckModel):
    model_config = ConfigDict(strict=True)

    id: str = Field(pattern="^[a-z0-9]{1,20}$")
    text: str = Field(min_length=1, max_length=200)
    order: WholeNumber = 0
    done: bool = False


class NotesAPI(AutoAPIBase):
    model = Note
    queries = DictQueryset()


app = Brubeck(msg_conn=Mongrel2Connection(os.environ["BRUBECK_PULL"], os.environ["BRUBECK_PUB"]))
app.register_api(NotesAPI)

if __name__ == "__main__":
    app.run()
