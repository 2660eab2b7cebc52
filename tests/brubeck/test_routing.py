"""Routing: patterns matched at the start of the path (as Brubeck did), order, arguments, function routes, methods."""

import json

import pytest

from brubeck.request_handling import Brubeck, WebMessageHandler, http_response
from tests.support.brubeck_requests import json_body, req


class Named(WebMessageHandler):
    def get(self, *args, **kwargs):
        self.set_body(json.dumps({"handler": type(self).__name__, "args": args, "kwargs": kwargs}))


class Other(Named):
    pass


class Resource(WebMessageHandler):
    def get(self):
        self.set_body("resource body")

    def post(self):
        self.set_body("posted")

    def patch(self):
        self.set_body("patched " + self.message.body.decode())


def test_first_match_wins():
    app = Brubeck(handler_tuples=[(r"/items/new", Other), (r"/items/(\w+)", Named)])
    assert json_body(app.handle(req("GET", "/items/new")))["handler"] == "Other"
    assert json_body(app.handle(req("GET", "/items/42")))["handler"] == "Named"


def test_earlier_general_route_shadows_later_one():
    app = Brubeck(handler_tuples=[(r"/items/(\w+)", Named), (r"/items/new", Other)])
    assert json_body(app.handle(req("GET", "/items/new")))["handler"] == "Named"


@pytest.mark.parametrize(
    "path, status", [("/brubeck", 200), ("/brubeck/more", 200), ("/brubeckx", 200), ("/x/brubeck", 404), ("/", 404)]
)
def test_a_pattern_matches_at_the_start_of_the_path(path, status):
    app = Brubeck(handler_tuples=[(r"^/brubeck", Named)])
    assert app.handle(req("GET", path)).status == status


@pytest.mark.parametrize("pattern", [r"^/brubeck", r"/brubeck"])
def test_a_pattern_is_anchored_at_the_start_with_or_without_a_caret(pattern):
    app = Brubeck(handler_tuples=[(pattern, Named)])
    assert app.handle(req("GET", "/brubeck/more")).status == 200
    assert app.handle(req("GET", "/more/brubeck")).status == 404


@pytest.mark.parametrize("path", ["/", "/anything", "/deep/er/path"])
def test_a_caret_and_a_slash_catch_every_path(path):
    app = Brubeck(handler_tuples=[(r"^/", Named)])
    assert json_body(app.handle(req("GET", path)))["handler"] == "Named"


@pytest.mark.parametrize("path, status", [("/login", 200), ("/loginx", 404), ("/x/login", 404), ("/login/", 404)])
def test_a_dollar_makes_the_pattern_match_the_whole_path(path, status):
    app = Brubeck(handler_tuples=[(r"^/login$", Named)])
    assert app.handle(req("GET", path)).status == status


def test_the_first_route_in_order_whose_pattern_matches_answers():
    routes = [(r"^/items$", Other), (r"^/items", Named)]
    app = Brubeck(handler_tuples=routes)
    assert json_body(app.handle(req("GET", "/items")))["handler"] == "Other"
    assert json_body(app.handle(req("GET", "/items/42")))["handler"] == "Named"
    shadowed = Brubeck(handler_tuples=list(reversed(routes)))
    assert json_body(shadowed.handle(req("GET", "/items")))["handler"] == "Named"  # the prefix came first


def test_a_user_page_anchored_with_a_dollar_leaves_its_feed_to_the_next_route():
    user = r"/(?P<name>[a-z]+)"
    app = Brubeck(handler_tuples=[(user + "$", Named), (user + "/feed$", Other)])
    assert json_body(app.handle(req("GET", "/ann")))["kwargs"] == {"name": "ann"}
    assert json_body(app.handle(req("GET", "/ann/feed")))["handler"] == "Other"
    unanchored = Brubeck(handler_tuples=[(user, Named), (user + "/feed$", Other)])
    assert json_body(unanchored.handle(req("GET", "/ann/feed")))["handler"] == "Named"


def test_function_routes_match_at_the_start_too():
    app = Brubeck()
    app.add_route(r"^/brubeck", method="GET")(lambda application, message: "Take five!")
    assert app.handle(req("GET", "/brubeck/five")).body == b"Take five!"
    assert app.handle(req("GET", "/jazz")).status == 404


def test_named_groups_are_kwargs_unnamed_are_args():
    app = Brubeck(handler_tuples=[(r"^/(?P<user>\w+)/posts/(\d+)/(\w+)$", Named)])
    body = json_body(app.handle(req("GET", "/ann/posts/12/edit")))
    assert body["kwargs"] == {"user": "ann"}
    assert body["args"] == ["12", "edit"]


def test_function_route_with_decorator():
    app = Brubeck()

    @app.add_route(r"^/brew/(\w+)$", method="GET")
    def brew(application, message, drink):
        assert application is app
        return http_response(f"{drink} for {message.path}", 418, "Teapot", {"X-Drink": drink})

    response = app.handle(req("GET", "/brew/tea"))
    assert response.status_line == "418 Teapot"
    assert response.body == b"tea for /brew/tea"
    assert response.headers["X-Drink"] == "tea"


def test_function_route_returning_text_is_html_200():
    app = Brubeck()
    app.add_route_rule(r"/hi", lambda application, message: "<b>hi</b>")
    response = app.handle(req("GET", "/hi"))
    assert (response.status, response.body) == (200, b"<b>hi</b>")
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


def test_function_routes_by_method_share_a_pattern():
    app = Brubeck()
    app.add_route(r"/thing", method="GET")(lambda application, message: "got")
    app.add_route(r"/thing", method=["POST", "PUT"])(lambda application, message: "changed")
    assert app.handle(req("GET", "/thing")).body == b"got"
    assert app.handle(req("PUT", "/thing")).body == b"changed"
    assert app.handle(req("POST", "/thing")).body == b"changed"


def test_unknown_path_is_404():
    app = Brubeck(handler_tuples=[(r"/$", Named)])
    response = app.handle(req("GET", "/nope"))
    assert response.status == 404
    assert b"404 Not Found" in response.body
    assert response.headers["Content-Type"].startswith("text/html")


def test_wrong_method_on_handler_is_405_with_allow():
    app = Brubeck(csrf_protection=False, handler_tuples=[(r"/r", Resource)])
    response = app.handle(req("DELETE", "/r"))
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, POST, PATCH, OPTIONS"


def test_wrong_method_on_function_is_405_with_allow():
    app = Brubeck()
    app.add_route_rule(r"/f", lambda application, message: "x")
    response = app.handle(req("POST", "/f"))
    assert response.status == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.fixture
def resource_app():
    app = Brubeck(csrf_protection=False, handler_tuples=[(r"/r", Resource)])
    app.add_route_rule(r"/f", lambda application, message: "function body")
    return app


@pytest.mark.parametrize("path", ["/r", "/f"])
def test_head_has_get_headers_and_no_body(resource_app, path):
    get = resource_app.handle(req("GET", path))
    head = resource_app.handle(req("HEAD", path))
    assert head.status == 200
    assert dict(head.header_lines())["Content-Length"] == str(len(get.body))
    raw = head.to_http(head=True)
    assert raw.endswith(b"\r\n\r\n")
    assert f"Content-Length: {len(get.body)}\r\n".encode() in raw
    assert get.body not in raw


@pytest.mark.parametrize("path, allow", [("/r", "GET, HEAD, POST, PATCH, OPTIONS"), ("/f", "GET, HEAD, OPTIONS")])
def test_options_is_204_with_allow(resource_app, path, allow):
    response = resource_app.handle(req("OPTIONS", path))
    assert response.status == 204
    assert response.headers["Allow"] == allow
    assert response.body == b""
    assert "Content-Length" not in dict(response.header_lines())


def test_patch(resource_app):
    response = resource_app.handle(req("PATCH", "/r", body=b"name=x"))
    assert (response.status, response.body) == (200, b"patched name=x")
