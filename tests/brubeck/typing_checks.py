"""Not run: checked by mypy in ``make test``, to hold the framework's types to what a user expects."""

from typing import assert_type

from brubeck.request import Request
from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.responses import Response


class Page(WebMessageHandler):
    def get(self) -> Response:
        assert_type(self.get_argument("name", "dude"), str)  # a string default: always a string
        assert_type(self.get_argument("name"), str | None)
        assert_type(self.get_arguments("tag"), list[str])
        return self.render()


def function_route(application: Brubeck, message: Request) -> Response:
    assert_type(message.get_argument("name", ""), str)
    return Response(application.render_template("page.html", name=message.get_argument("name")))
