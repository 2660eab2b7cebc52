"""Security headers: every page forbids framing and foreign content; JSON loads nothing; a site may relax it;
the framework's own plain answers (413, 400, the last-resort 500) are locked down as JSON is."""

from __future__ import annotations

import pytest

from brubeck.mongrel2 import BAD_REQUEST, LENGTH_REQUIRED, TOO_LARGE, UPLOAD_UNREADABLE
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from brubeck.responses import API_POLICY, PAGE_POLICY, Response
from brubeck.testing import TestClient
from conf import landing
from conf.settings import deployment


class Page(WebMessageHandler):
    def get(self) -> None:
        self.set_body("<p>hello</p>")


class Api(JSONMessageHandler):
    def get(self) -> None:
        self.add_to_payload("ok", True)


class Embeddable(WebMessageHandler):
    content_security_policy = "default-src 'self'; frame-ancestors https://partner.example"

    def get(self) -> None:
        self.set_body("<p>embed me</p>")


class OwnHeaders(WebMessageHandler):
    def get(self) -> None:
        self.headers["X-Kind"] = "own"
        self.set_body("<p>hello</p>")


@pytest.fixture
def client() -> TestClient:
    routes = [(r"/page", Page), (r"/api", Api), (r"/embed", Embeddable), (r"/own", OwnHeaders)]
    return TestClient(Brubeck(cookie_secret="s", handler_tuples=routes))


@pytest.mark.parametrize("path", ["/page", "/own", "/nowhere"])  # pages, a handler's own headers, error pages
def test_pages_forbid_framing_inline_script_and_foreign_content(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert policy == PAGE_POLICY
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy and "*" not in policy
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_json_loads_nothing_and_cannot_be_framed(client: TestClient) -> None:
    headers = client.get("/api").headers
    assert headers["Content-Security-Policy"] == API_POLICY
    assert headers["X-Frame-Options"] == "DENY"


def test_a_handler_may_relax_its_policy(client: TestClient) -> None:
    headers = client.get("/embed").headers
    assert headers["Content-Security-Policy"] == "default-src 'self'; frame-ancestors https://partner.example"
    assert "X-Frame-Options" not in headers  # it may be framed by its partner


# -- the second round, item 10: the framework's own answers carry the headers too ------------------------


class Broken(WebMessageHandler):
    def get(self) -> None:
        raise RuntimeError("boom")

    def render_error(self, status_code: int, message: str | None = None, fields: dict[str, str] | None = None):
        raise RuntimeError("the error page fails too")


class BadInit(WebMessageHandler):
    def initialize(self) -> None:
        raise RuntimeError("before any handler method")

    def get(self) -> None:
        self.set_body("never")


def assert_plain_and_locked_down(headers) -> None:
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"] == API_POLICY
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/broken", "/bad-init"])
def test_the_last_resort_answers_carry_the_security_headers(path: str) -> None:
    client = TestClient(Brubeck(cookie_secret="s", handler_tuples=[(r"/broken", Broken), (r"/bad-init", BadInit)]))
    response = client.get(path)
    assert response.status == 500
    assert_plain_and_locked_down(response.headers)


@pytest.mark.parametrize("answer", [BAD_REQUEST, LENGTH_REQUIRED, TOO_LARGE, UPLOAD_UNREADABLE])
def test_the_mongrel2_connections_own_answers_carry_the_security_headers(answer: Response) -> None:
    assert_plain_and_locked_down(answer.headers)


def test_the_landing_page_is_a_handlers_page_with_every_header(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRUBECK_PULL", "tcp://127.0.0.1:1")
    monkeypatch.setenv("BRUBECK_PUB", "tcp://127.0.0.1:2")
    page = TestClient(landing.create_app(deployment({}))).get("/")
    assert page.status == 200 and "<h1>The Brubeck suite</h1>" in page.text
    assert page.headers["Content-Security-Policy"] == PAGE_POLICY
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "<style" not in page.text and 'href="/static/landing.css"' in page.text  # nothing inline
    missing = TestClient(landing.create_app(deployment({}))).get("/no/such/page")
    assert missing.status == 404 and missing.headers["Content-Security-Policy"] == PAGE_POLICY
    assert "There is no page at this address" in missing.text and '<a href="/">The suite\'s sites</a>' in missing.text
