"""CSRF: unsafe methods need the token from the signed cookie."""

import pytest

from brubeck.csrf import CSRF_COOKIE
from brubeck.request_handling import Brubeck, JSONMessageHandler, WebMessageHandler
from tests.support.brubeck_requests import cookies_from, form_req, req


class Form(WebMessageHandler):
    def get(self):
        self.set_body(self.csrf_token)

    def post(self):
        self.set_body("saved")

    def delete(self):
        self.set_body("deleted")


class FieldPage(WebMessageHandler):
    def get(self):
        self.set_body(str(self.csrf_field()))


class Unprotected(WebMessageHandler):
    csrf_protect = False

    def post(self):
        self.set_body("open")


class Api(JSONMessageHandler):
    def post(self):
        self.add_to_payload("ok", True)


def make_app(**settings):
    return Brubeck(
        cookie_secret="s3cret",
        handler_tuples=[
            (r"/form", Form),
            (r"/field", FieldPage),
            (r"/open", Unprotected),
            (r"/api", Api),
        ],
        **settings,
    )


@pytest.fixture
def app():
    return make_app()


@pytest.fixture
def session(app):
    """``(cookie_headers, token)`` from a GET that read ``csrf_token``."""
    response = app.handle(req("GET", "/form"))
    return cookies_from(response), response.body.decode()


def test_get_issues_token_in_signed_cookie(app, session):
    cookies, token = session
    assert len(token) >= 32
    assert cookies["cookie"].startswith(CSRF_COOKIE + "=")
    assert token not in cookies["cookie"]  # the cookie holds a signed value, not the bare token
    again = app.handle(req("GET", "/form", cookies))
    assert again.body.decode() == token
    assert again.headers.get_all("Set-Cookie") == []


def test_post_without_token_is_403_and_says_how_to_add_one(app, session, caplog):
    """A form ported from Brubeck 0.4 has no token: the answer says what to put in it."""
    cookies, _ = session
    for headers in ({}, cookies):
        response = app.handle(form_req("/form", {"title": "x"}, headers=headers))
        assert response.status == 403
        assert b"no CSRF token" in response.body
        assert b"put {{ csrf_field() }} inside it" in response.body
        assert b"Brubeck(csrf_protection=False)" in response.body
    assert "POST /form has no CSRF token" in caplog.text


def test_a_wrong_token_is_403_and_says_the_form_expired(app, session):
    cookies, token = session
    response = app.handle(form_req("/form", {"_csrf": token[:-1] + "x"}, headers=cookies))
    assert response.status == 403
    assert b"did not come from this site" in response.body


def test_post_with_cookie_and_form_field(app, session):
    cookies, token = session
    response = app.handle(form_req("/form", {"title": "x", "_csrf": token}, headers=cookies))
    assert (response.status, response.body) == (200, b"saved")


def test_token_without_its_cookie_is_403(app, session):
    _, token = session
    assert app.handle(form_req("/form", {"_csrf": token})).status == 403


def test_token_from_another_session_is_403(app, session):
    cookies, _ = session
    other_token = app.handle(req("GET", "/form")).body.decode()
    assert app.handle(form_req("/form", {"_csrf": other_token}, headers=cookies)).status == 403


def test_token_in_header(app, session):
    cookies, token = session
    response = app.handle(req("DELETE", "/form", {**cookies, "X-CSRF-Token": token}))
    assert (response.status, response.body) == (200, b"deleted")


def test_json_api_needs_token_too(app, session):
    assert app.handle(req("POST", "/api", {"content-type": "application/json"}, b"{}")).status == 403
    cookies, token = session
    assert app.handle(req("POST", "/api", {**cookies, "x-csrf-token": token})).status == 200


@pytest.mark.parametrize("authorization", ["Token abc", "Basic YWxpY2U6cGFzcw==", "x"])
def test_an_authorization_header_alone_exempts_nothing(app, authorization):
    """A browser behind a Basic-auth proxy sends one on every request: it must not open forms to CSRF."""
    response = app.handle(form_req("/form", {"title": "x"}, headers={"Authorization": authorization}))
    assert response.status == 403


class KeyApi(JSONMessageHandler):
    def authenticated_by_api_token(self):
        return self.message.headers.get("authorization") == "Token good"

    def post(self):
        self.add_to_payload("ok", True)


def test_a_request_the_handler_authenticates_by_api_key_needs_no_token():
    app = Brubeck(cookie_secret="s", handler_tuples=[(r"/api", KeyApi)])
    assert app.handle(req("POST", "/api", {"authorization": "Token good"})).status == 200
    assert app.handle(req("POST", "/api", {"authorization": "Token bad"})).status == 403


def test_app_setting_disables_protection():
    response = make_app(csrf_protection=False).handle(form_req("/form", {"title": "x"}))
    assert (response.status, response.body) == (200, b"saved")


def test_handler_setting_disables_protection(app):
    assert app.handle(form_req("/open", {})).body == b"open"


def test_csrf_field_is_a_hidden_input(app):
    response = app.handle(req("GET", "/field"))
    assert response.body.startswith(b'<input type="hidden" name="_csrf" value="')
    assert response.headers.get_all("Set-Cookie")
