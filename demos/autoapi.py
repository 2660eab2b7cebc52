#!/usr/bin/env python
r"""AutoAPI: a JSON API for todos from a model and a queryset, and a page listing them.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.autoapi`` (from the project root) and try, in order:

    curl http://localhost:6767/todo/ | python -m json.tool

    curl -H "content-type: application/json" -f -X POST \
        -d '{"id": "111b4bb7-55f5-441b-ba25-c7a4fd99442c", "text": "Watch more bsg", "order": 1}' \
        http://localhost:6767/todo/111b4bb7-55f5-441b-ba25-c7a4fd99442c/ | python -m json.tool

    curl -H "content-type: application/json" -f -X POST \
        -d '{"id": "222b4bb7-55f5-441b-ba25-c7a4fd994421", "text": "Watch Blade Runner", "order": 2}' \
        http://localhost:6767/todo/222b4bb7-55f5-441b-ba25-c7a4fd994421/ | python -m json.tool

    curl http://localhost:6767/todo/ | python -m json.tool

    curl http://localhost:6767/todo/222b4bb7-55f5-441b-ba25-c7a4fd994421/ | python -m json.tool

    curl -H "content-type: application/json" -f -X DELETE \
        http://localhost:6767/todo/222b4bb7-55f5-441b-ba25-c7a4fd994421/

    curl http://localhost:6767/todo/ | python -m json.tool

    curl -H "content-type: application/json" -f -X POST \
        -d '[{"id": "333b4bb7-55f5-441b-ba25-c7a4fd99442c", "text": "Write more Brubeck code", "order": 3},
             {"id": "444b4bb7-55f5-441b-ba25-c7a4fd994421", "text": "Drink coffee", "order": 4}]' \
        http://localhost:6767/todo/ | python -m json.tool

    curl http://localhost:6767/todo/ | python -m json.tool

The last two are refused with 400 (drop ``-f`` to see the JSON error): the
id in the body does not match the URL, then the URL's id is not a UUID.

    curl -H "content-type: application/json" -f -X POST \
        -d '{"id": "b4bb7-55f5-441b-ba25-c7a4fd994421", "text": "Watch Blade Runner", "order": 2}' \
        http://localhost:6767/todo/222b4bb7-55f5-441b-ba25-c7a4fd994421/ | python -m json.tool

    curl -H "content-type: application/json" -f -X POST \
        -d '{"id": "b4bb7-55f5-441b-ba25-c7a4fd994421", "text": "Watch Blade Runner", "order": 2}' \
        http://localhost:6767/todo/b4bb7-55f5-441b-ba25-c7a4fd994421/ | python -m json.tool

Lists come ``limit`` todos at a time (``/todo/?limit=2``, then add
``&after=`` and the ``next`` cursor); ``since=<ms>`` keeps the todos written
since then.  http://localhost:6767/ lists the todos as a page, and
http://localhost:6767/openapi.json describes the API.
"""

import os
from uuid import UUID, uuid4

from pydantic import Field

from brubeck.autoapi import MAX_LIMIT, AutoAPIBase
from brubeck.connections import Mongrel2Connection
from brubeck.models import BrubeckModel
from brubeck.queryset import DictQueryset
from brubeck.request_handling import Brubeck
from brubeck.templating import Jinja2Rendering, load_jinja2_env

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")


class Todo(BrubeckModel):
    """Bare minimum for a todo."""

    id: UUID = Field(default_factory=uuid4)
    text: str = Field(min_length=1, max_length=500)
    order: int = 0
    completed: bool = False


class TodosAPI(AutoAPIBase):
    queries = DictQueryset()
    model = Todo

    def render(self, **kwargs):
        return super().render(hide_status=True, **kwargs)


class TodosHandler(Jinja2Rendering):
    def get(self):
        todos, more = TodosAPI.queries.read_page(MAX_LIMIT)
        return self.render_template("todos.html", todos=todos, more=more)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/$", TodosHandler)],
    template_loader=load_jinja2_env(TEMPLATES),
)
app.register_api(TodosAPI)

if __name__ == "__main__":
    app.run()
