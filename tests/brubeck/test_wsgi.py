"""The app as a WSGI callable."""

import io
import json

import gevent
import pytest

from brubeck.request_handling import Brubeck, WebMessageHandler
from brubeck.responses import Response


class Echo(WebMessageHandler):
    def get(self):
        self.headers["X-Seen-Host"] = self.message.host
        self.set_body(
            json.dumps(
                {
                    "path": self.message.path,
                    "args": self.message.arguments,
                    "cookie": self.get_cookie("c"),
                    "remote": self.message.remote_addr,
                    "scheme": self.message.scheme,
                }
            )
        )

    post = get


class Wait(WebMessageHandler):
    def get(self):
        return self.hold("room", "k", 5)


@pytest.fixture
def app():
    return Brubeck(csrf_protection=False, handler_tuples=[(r"/wait", Wait), (r"/.*", Echo)])


class StartResponse:
    def __call__(self, status, headers):
        self.status = status
        self.headers = dict(headers)


def call(app, method="GET", path="/", query="", body=b"", **extra):
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "example.localhost",
        **extra,
    }
    if body:
        environ["CONTENT_LENGTH"] = str(len(body))
    start_response = StartResponse()
    chunks = app(environ, start_response)
    return start_response, b"".join(chunks)


def test_get(app):
    start, body = call(app, path="/hello", query="a=1&a=2", HTTP_COOKIE="c=v")
    assert start.status == "200 OK"
    assert start.headers["Content-Type"] == "text/html; charset=utf-8"
    assert start.headers["Content-Length"] == str(len(body))
    assert start.headers["X-Seen-Host"] == "example.localhost"
    assert json.loads(body) == {
        "path": "/hello",
        "args": {"a": ["1", "2"]},
        "cookie": "v",
        "remote": "127.0.0.1",
        "scheme": "http",
    }


def test_post_form(app):
    start, body = call(
        app, "POST", "/form", body=b"name=ann&x=%C3%A9", CONTENT_TYPE="application/x-www-form-urlencoded"
    )
    assert start.status == "200 OK"
    assert json.loads(body)["args"] == {"name": ["ann"], "x": ["é"]}


def test_head_has_length_and_no_body(app):
    _, get_body = call(app, path="/x")
    start, body = call(app, "HEAD", "/x")
    assert start.status == "200 OK"
    assert body == b""
    assert start.headers["Content-Length"] == str(len(get_body))


def test_utf8_path_and_forwarded_for(app):
    path = "/café".encode().decode("latin-1")  # how WSGI servers hand over the raw path
    start, body = call(app, path=path, HTTP_X_FORWARDED_FOR="10.1.2.3, 10.0.0.1")
    assert json.loads(body)["path"] == "/café"
    assert json.loads(body)["remote"] == "10.1.2.3"


def test_not_found():
    start, body = call(Brubeck(), path="/nothing")
    assert start.status == "404 Not Found"
    assert b"404 Not Found" in body


def test_bad_content_length_is_400(app):
    start, body = call(app, "POST", "/x", CONTENT_LENGTH="many")
    assert start.status == "400 Bad Request"
    assert body == b"Bad request"


def test_held_request_waits_for_release(app):
    waiting = gevent.spawn(call, app, path="/wait")
    gevent.sleep(0.01)
    assert app.release("room", "k", Response("released")) == 1
    start, body = waiting.get(timeout=1)
    assert (start.status, body) == ("200 OK", b"released")
