"""Errors: unhandled exceptions give a 500 without details; HTTPError renders fields."""

import logging

import pytest

from brubeck.request_handling import Brubeck, HTTPError, JSONMessageHandler, WebMessageHandler
from tests.support.brubeck_requests import json_body, req

SECRET_DETAIL = "database password is hunter2"


class Boom(WebMessageHandler):
    def get(self):
        raise RuntimeError(SECRET_DETAIL)


class JSONBoom(JSONMessageHandler):
    def get(self):
        self.add_to_payload("partial", True)
        raise RuntimeError(SECRET_DETAIL)


class Invalid(WebMessageHandler):
    def get(self):
        raise HTTPError(400, "Check the <form>.", {"url": "Not a <link>", "title": "Too long"})


class JSONInvalid(JSONMessageHandler):
    def get(self):
        raise HTTPError(400, "Check the form.", {"url": "Not a link"})


class Teapot(JSONMessageHandler):
    def get(self):
        raise HTTPError(429, headers={"Retry-After": "5"})


class FailingFinish(WebMessageHandler):
    def get(self):
        self.set_body("fine")

    def on_finish(self):
        raise RuntimeError("cleanup failed")


class DatabaseDown(WebMessageHandler):
    unavailable_errors = (ConnectionError,)

    def get(self):
        raise ConnectionError("db at 10.0.0.5 refused")


def boom_function(application, message):
    raise RuntimeError(SECRET_DETAIL)


@pytest.fixture
def app():
    return Brubeck(
        handler_tuples=[
            (r"/boom", Boom),
            (r"/json-boom", JSONBoom),
            (r"/invalid", Invalid),
            (r"/json-invalid", JSONInvalid),
            (r"/teapot", Teapot),
            (r"/finish", FailingFinish),
            (r"/fn-boom", boom_function),
            (r"/db-down", DatabaseDown),
        ]
    )


def assert_logged_with_traceback(caplog):
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None
    assert SECRET_DETAIL in caplog.text
    assert "Traceback" in caplog.text


@pytest.mark.parametrize("path", ["/boom", "/fn-boom"])
def test_exception_gives_html_500_without_details(app, caplog, path):
    response = app.handle(req("GET", path))
    assert response.status == 500
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"500 Internal Server Error" in response.body
    assert SECRET_DETAIL.encode() not in response.body
    assert b"Traceback" not in response.body
    assert_logged_with_traceback(caplog)


def test_exception_gives_json_500_without_details(app, caplog):
    response = app.handle(req("GET", "/json-boom"))
    assert response.status == 500
    assert response.headers["Content-Type"] == "application/json"
    assert json_body(response) == {"error": {"code": 500, "message": "Internal Server Error"}}
    assert_logged_with_traceback(caplog)


def test_http_error_renders_fields_in_html(app):
    response = app.handle(req("GET", "/invalid"))
    assert response.status == 400
    assert b"Check the &lt;form&gt;." in response.body
    assert b"<li>url: Not a &lt;link&gt;</li>" in response.body
    assert b"<li>title: Too long</li>" in response.body


def test_http_error_renders_fields_in_json(app):
    response = app.handle(req("GET", "/json-invalid"))
    assert response.status == 400
    assert json_body(response) == {
        "error": {"code": 400, "message": "Check the form.", "fields": {"url": "Not a link"}}
    }


def test_http_error_headers_and_default_message(app):
    response = app.handle(req("GET", "/teapot"))
    assert response.status == 429
    assert response.headers["Retry-After"] == "5"
    assert json_body(response) == {"error": {"code": 429, "message": "Too Many Requests"}}


def test_failing_on_finish_is_logged_and_response_kept(app, caplog):
    response = app.handle(req("GET", "/finish"))
    assert (response.status, response.body) == (200, b"fine")
    assert "cleanup failed" in caplog.text


def test_unavailable_errors_give_503_without_traceback(app, caplog):
    response = app.handle(req("GET", "/db-down"))
    assert response.status == 503
    assert response.headers["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.body
    assert b"10.0.0.5" not in response.body
    [record] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


class BrokenInit(WebMessageHandler):
    def initialize(self):
        raise RuntimeError(SECRET_DETAIL)

    def get(self):
        self.set_body("unreachable")


def test_exception_in_initialize_still_gives_500(caplog):
    response = Brubeck(handler_tuples=[(r"/", BrokenInit)]).handle(req("GET", "/"))
    assert response.status == 500
    assert SECRET_DETAIL.encode() not in response.body
    assert_logged_with_traceback(caplog)


class HalfDone(WebMessageHandler):
    def get(self):
        self.headers["Location"] = "/elsewhere"
        self.set_cookie("session", "half-made")
        raise RuntimeError(SECRET_DETAIL)


def test_500_drops_headers_and_cookies_set_before_the_error(caplog):
    response = Brubeck(handler_tuples=[(r"/", HalfDone)]).handle(req("GET", "/"))
    assert response.status == 500
    assert "Location" not in response.headers
    assert response.headers.get_all("Set-Cookie") == []
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
