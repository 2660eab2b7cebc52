"""Passwords, login-required decorators, current user, safe redirects."""

import pytest

from brubeck.auth import (
    UserHandlingMixin,
    authenticated,
    check_password,
    hash_password,
    safe_next_url,
    web_authenticated,
)
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from tests.support.brubeck_requests import json_body, req

LONG_PASSWORD = "é" * 37  # 74 bytes in UTF-8


@pytest.fixture(scope="module")
def hashed():
    return hash_password("correct horse", rounds=4)  # cheap rounds keep the tests fast


def test_check_password(hashed):
    assert hashed.startswith("$2b$04$")
    assert check_password("correct horse", hashed)
    assert not check_password("correct horsE", hashed)
    assert not check_password("", hashed)


@pytest.mark.parametrize("bad_hash", ["", "not a bcrypt hash", "$2b$12$short"])
def test_check_password_against_bad_hashes_is_false(bad_hash):
    assert not check_password("correct horse", bad_hash)


def test_passwords_over_72_bytes_are_refused(hashed):
    with pytest.raises(ValueError):
        hash_password(LONG_PASSWORD)
    # bcrypt would ignore the tail: a long password sharing the first 72 bytes must not match
    assert not check_password(LONG_PASSWORD, hashed)
    assert not check_password("correct horse" + "x" * 100, hashed)


class Session(UserHandlingMixin):
    """Reads the user from an X-User header and counts the lookups."""

    lookups = 0

    def get_current_user(self):
        Session.lookups += 1
        return self.message.headers.get("x-user")


class Page(Session, WebMessageHandler):
    @web_authenticated
    def get(self):
        self.set_body(f"hello {self.current_user} {self.current_user} {self.current_user}")

    @web_authenticated
    def post(self):
        self.set_body("posted")


class Api(Session, JSONMessageHandler):
    @authenticated
    def get(self):
        self.add_to_payload("user", self.current_user)


@pytest.fixture
def app():
    Session.lookups = 0
    return Brubeck(login_url="/login", csrf_protection=False, handler_tuples=[(r"/private", Page), (r"/api/me", Api)])


def test_web_authenticated_redirects_get_to_login_with_next(app):
    response = app.handle(req("GET", "/private?x=1&y=a b"))
    assert response.status == 302
    assert response.headers["Location"] == "/login?next=/private%3Fx%3D1%26y%3Da%20b"


def test_web_authenticated_post_redirects_without_next(app):
    response = app.handle(req("POST", "/private"))
    assert response.status == 302
    assert response.headers["Location"] == "/login"


def test_login_url_with_query_gets_ampersand():
    app = Brubeck(login_url="/login?site=a", handler_tuples=[(r"/private", Page)])
    assert app.handle(req("GET", "/private")).headers["Location"] == "/login?site=a&next=/private"


def test_web_authenticated_lets_users_in_and_looks_them_up_once(app):
    response = app.handle(req("GET", "/private", {"x-user": "ann"}))
    assert (response.status, response.body) == (200, b"hello ann ann ann")
    assert Session.lookups == 1


def test_current_user_none_is_also_computed_once(app):
    app.handle(req("GET", "/private"))
    assert Session.lookups == 1


def test_current_user_setter(app):
    handler = Page(app, req("GET", "/private"))
    handler.current_user = "bob"
    assert handler.current_user == "bob"
    assert Session.lookups == 0


def test_authenticated_gives_401_json(app):
    response = app.handle(req("GET", "/api/me"))
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"'
    assert json_body(response)["error"]["code"] == 401


def test_authenticated_lets_users_in(app):
    response = app.handle(req("GET", "/api/me", {"x-user": "ann"}))
    assert (response.status, json_body(response)) == (200, {"user": "ann"})


@pytest.mark.parametrize(
    "url",
    [
        "//evil.com",
        "//evil.com/a",
        "http://evil.com",
        "https://evil.com/",
        "/\\evil.com",
        "/a\r\nb",
        "/a\nb",
        "/a\\b",
        "",
        None,
        "evil.com",
        "javascript:alert(1)",
        "/a\tb",
    ],
)
def test_safe_next_url_rejects(url):
    assert safe_next_url(url) == "/"
    assert safe_next_url(url, default="/home") == "/home"


@pytest.mark.parametrize("url", ["/", "/a?b=c", "/a/b#frag", "/caf%C3%A9?next=/x"])
def test_safe_next_url_accepts_local_paths(url):
    assert safe_next_url(url) == url
