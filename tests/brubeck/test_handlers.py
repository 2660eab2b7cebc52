"""Handler API: arguments, status, body, headers, payload, redirects."""

import json
from urllib.parse import quote

import pytest

from brubeck.datastructures import Headers
from brubeck.request_handling import Brubeck, JSONMessageHandler, MessageHandler, WebMessageHandler
from brubeck.responses import Response, json_response
from tests.support.brubeck_requests import form_req, json_body, req


class Arguments(WebMessageHandler):
    def get(self):
        self.set_body(
            json.dumps(
                {
                    "last": self.get_argument("a"),
                    "all": self.get_arguments("a"),
                    "raw": self.get_argument("s", strip=False),
                    "stripped": self.get_argument("s"),
                    "missing": self.get_argument("missing"),
                    "default": self.get_argument("missing", "fallback"),
                }
            )
        )

    post = get


class Created(WebMessageHandler):
    def get(self):
        self.set_status(201, "Made It")
        self.headers["X-Thing"] = "one"
        self.headers["x-thing"] = "two"  # replaces, case-insensitively
        self.set_body("made")


class Plain(MessageHandler):
    def get(self):
        return self.render_error(418)


class Payload(JSONMessageHandler):
    def get(self):
        self.add_to_payload("name", "é")
        self.add_to_payload("items", [1, 2])
        return self.render(status_code=202)


class Redirect(WebMessageHandler):
    def get(self):
        return self.redirect(self.get_argument("to"), int(self.get_argument("code", "302")))


class Inject(WebMessageHandler):
    def get(self):
        self.headers["X-Evil"] = "a\r\nSet-Cookie: owned=1"
        self.set_body("should not be sent")


@pytest.fixture
def app():
    return Brubeck(
        csrf_protection=False,
        handler_tuples=[
            (r"/args", Arguments),
            (r"/created", Created),
            (r"/plain", Plain),
            (r"/payload", Payload),
            (r"/redirect", Redirect),
            (r"/inject", Inject),
        ],
    )


def test_get_argument_and_get_arguments(app):
    body = json_body(app.handle(req("GET", "/args?a=1&a=2&s=%20%20padded%20")))
    assert body == {
        "last": "2",
        "all": ["1", "2"],
        "raw": "  padded ",
        "stripped": "padded",
        "missing": None,
        "default": "fallback",
    }


def test_form_values_come_after_query_values(app):
    body = json_body(app.handle(form_req("/args?a=query", {"a": "form"})))
    assert body["all"] == ["query", "form"]
    assert body["last"] == "form"


def test_set_status_body_and_headers(app):
    response = app.handle(req("GET", "/created"))
    assert response.status_line == "201 Made It"
    assert response.body == b"made"
    assert response.headers.get_all("X-Thing") == ["two"]
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"


class DictHeaders(WebMessageHandler):
    def get(self):
        self.headers = {"X-Old-Style": "yes", "Content-Type": "text/plain"}  # Brubeck 0.4 handlers did this
        self.set_cookie("seen", "1")
        self.set_body("ok")


def test_headers_may_be_replaced_by_a_dict():
    response = Brubeck(handler_tuples=[(r"/", DictHeaders)]).handle(req("GET", "/"))
    assert response.status == 200
    assert response.headers["X-Old-Style"] == "yes"
    assert response.headers.get_all("Content-Type") == ["text/plain"]  # the handler's, not the default
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers.get_all("Set-Cookie")[0].startswith("seen=1;")


def test_base_handler_is_plain_text(app):
    response = app.handle(req("GET", "/plain"))
    assert (response.status, response.body) == (418, b"I'm a Teapot")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_add_to_payload_renders_json(app):
    response = app.handle(req("GET", "/payload"))
    assert response.status == 202
    assert response.headers["Content-Type"] == "application/json"
    assert json_body(response) == {"name": "é", "items": [1, 2]}


@pytest.mark.parametrize("code", [301, 302, 303])
def test_redirect(app, code):
    response = app.handle(req("GET", f"/redirect?to=/next%3Fa%3D1&code={code}"))
    assert response.status == code
    assert response.headers["Location"] == "/next?a=1"
    assert response.body == b""


def test_redirect_percent_encodes_non_ascii(app):
    response = app.handle(req("GET", "/redirect?to=" + quote("/tag/日本?q=ü ok&a=%41")))
    assert response.headers["Location"] == "/tag/%E6%97%A5%E6%9C%AC?q=%C3%BC%20ok&a=%41"
    assert b"\r\nLocation: /tag/%E6%97%A5%E6%9C%AC?q=%C3%BC%20ok&a=%41\r\n" in response.to_http()


@pytest.mark.parametrize("target", ["/x%0D%0ASet-Cookie:%20a=b", "/x%0Ay", "/x%0Dy"])
def test_redirect_with_line_break_is_400(app, target):
    response = app.handle(req("GET", "/redirect?to=" + target))
    assert response.status == 400
    assert "Location" not in response.headers
    assert "Set-Cookie" not in response.headers


def test_header_injection_is_refused(app):
    response = app.handle(req("GET", "/inject"))
    assert response.status == 500
    assert "X-Evil" not in response.headers
    assert b"owned" not in response.to_http()
    assert b"should not be sent" not in response.body


@pytest.mark.parametrize("name, value", [("X-A", "a\r\nb"), ("X-A", "a\nb"), ("X-A\r\nB", "v"), ("X-A", "a\0b")])
def test_headers_refuse_line_breaks(name, value):
    headers = Headers()
    with pytest.raises(ValueError):
        headers[name] = value
    with pytest.raises(ValueError):
        headers.add(name, value)
    assert len(headers) == 0


def test_headers_refuse_what_http_cannot_carry():
    headers = Headers({"X-Latin": "café"})
    assert headers["X-Latin"] == "café"
    with pytest.raises(ValueError):
        headers["X-Wide"] = "日本"


def test_response_refuses_line_break_in_reason():
    with pytest.raises(ValueError):
        Response(b"", 200, "OK\r\nX-Evil: 1")


def test_response_to_http():
    raw = Response("héllo", 200, headers={"X-A": "1"}).to_http()
    assert raw == b"HTTP/1.1 200 OK\r\nX-A: 1\r\nContent-Length: 6\r\n\r\nh\xc3\xa9llo"


# -- reading a JSON body --------------------------------------------------------------------------------


class ReadsJSON(JSONMessageHandler):
    csrf_protect = False

    def post(self):
        self.add_to_payload("got", self.read_json())


NOT_JSON = "Send the body as JSON, with Content-Type: application/json."
JSON_TYPE = {"content-type": "application/json; charset=utf-8"}


@pytest.mark.parametrize("body", [{"a": [1, "é"]}, [1, 2], "text", 5, None])
def test_read_json_gives_the_parsed_body(body):
    response = Brubeck(handler_tuples=[(r"/", ReadsJSON)]).handle(req("POST", "/", JSON_TYPE, json.dumps(body)))
    assert (response.status, json_body(response)) == (200, {"got": body})


@pytest.mark.parametrize(
    ("headers", "body", "status", "message"),
    [
        ({}, b"{}", 415, NOT_JSON),
        ({"content-type": "text/plain"}, b"{}", 415, NOT_JSON),
        ({"content-type": "application/x-www-form-urlencoded"}, b"a=1", 415, NOT_JSON),
        ({"content-type": "application/problem+json"}, b"{}", 415, NOT_JSON),
        (JSON_TYPE, b"", 400, "The request body is empty: send JSON."),
        (JSON_TYPE, b'{"a": ', 400, "The request body is not valid JSON."),
        (JSON_TYPE, b"[" * 33 + b"]" * 33, 400, "The JSON body nests deeper than 32 levels."),
        (JSON_TYPE, b'"' + b"x" * (1024 * 1024) + b'"', 413, "The JSON body is over 1 MB."),
    ],
)
def test_read_json_refuses_with_the_frameworks_errors(headers, body, status, message):
    response = Brubeck(handler_tuples=[(r"/", ReadsJSON)]).handle(req("POST", "/", headers, body))
    assert (response.status, json_body(response)) == (status, {"error": {"code": status, "message": message}})


def test_json_response_carries_the_security_headers_of_every_json_answer():
    own = Brubeck(handler_tuples=[(r"/", Payload)]).handle(req("GET", "/"))
    built = json_response({"name": "é"}, 201, {"Cache-Control": "no-store"})
    assert (built.status, built.body) == (201, '{"name":"é"}'.encode())
    assert dict(built.headers.items()) == {**dict(own.headers.items()), "Cache-Control": "no-store"}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ({"name": "é", "path": "/a"}, '{"name":"é","path":"/a"}'),  # UTF-8 as is, nothing escaped that need not be
        ({1: "one", None: "none"}, '{"1":"one","null":"none"}'),  # keys that are not text, as the stdlib writes them
        ([float("nan"), float("inf")], "[null,null]"),  # JSON has no NaN: never write what a parser refuses
        ({"big": 2**70}, '{"big":1180591620717411303424}'),  # past 64 bits: written all the same
    ],
)
def test_json_answers_are_compact_valid_json(value, written):
    assert json_response(value).body == written.encode()


@pytest.mark.parametrize("value", [{"tags": {"a"}}, {"big": 2**70, "ratio": float("nan")}])
def test_what_json_cannot_carry_is_refused_not_written(value):
    with pytest.raises((TypeError, ValueError)):
        json_response(value)
