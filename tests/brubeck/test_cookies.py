"""Signed cookies: roundtrip, tampering, foreign secrets and names, expiry, attributes."""

import hashlib
import json
import pickle
import time

import pytest
from itsdangerous import URLSafeTimedSerializer, base64_decode, base64_encode

from brubeck.cookies import DEFAULT_MAX_AGE, set_cookie_header, sign_value, unsign_value
from brubeck.request_handling import Brubeck, WebMessageHandler
from tests.support.brubeck_requests import cookies_from, req

SECRET = "test-secret"
VALUE = {"user": "ann", "roles": ["admin", "editor"], "n": 3}


class SetSession(WebMessageHandler):
    def get(self):
        self.set_cookie("session", VALUE, secret=self.application.cookie_secret)


class ReadSession(WebMessageHandler):
    def get(self):
        self.set_body(json.dumps(self.get_cookie("session", secret=self.application.cookie_secret)))


class TwoCookies(WebMessageHandler):
    def get(self):
        self.set_cookie("theme", "dark")
        self.set_cookie("lang", "fr", max_age=60)


class Logout(WebMessageHandler):
    def get(self):
        self.delete_cookie("session")


def make_app(**settings):
    return Brubeck(
        cookie_secret=SECRET,
        handler_tuples=[
            (r"/set", SetSession),
            (r"/read", ReadSession),
            (r"/two", TwoCookies),
            (r"/logout", Logout),
        ],
        **settings,
    )


@pytest.fixture
def app():
    return make_app()


def read_session(app, cookie_value):
    response = app.handle(req("GET", "/read", {"cookie": f"session={cookie_value}"}))
    return json.loads(response.body)


def signed_session(app):
    [header] = app.handle(req("GET", "/set")).headers.get_all("Set-Cookie")
    return header.split(";", 1)[0].split("=", 1)[1]


def test_signed_roundtrip(app):
    response = app.handle(req("GET", "/set"))
    read = app.handle(req("GET", "/read", cookies_from(response)))
    assert json.loads(read.body) == VALUE


def test_missing_cookie_reads_none(app):
    assert json.loads(app.handle(req("GET", "/read")).body) is None


def test_tampered_value_reads_absent(app):
    signed = signed_session(app)
    # change a character in the middle of the signature (the last one carries padding bits)
    flipped = signed[:-5] + ("A" if signed[-5] != "A" else "B") + signed[-4:]
    assert read_session(app, flipped) is None
    signature = signed.split(".", 1)[1]
    forged = json.dumps({**VALUE, "user": "root"}).encode()
    assert read_session(app, base64_encode(forged).decode() + "." + signature) is None


def test_value_signed_with_another_secret_reads_absent(app):
    assert read_session(app, sign_value("another-secret", "session", VALUE)) is None


def test_value_signed_for_another_cookie_name_reads_absent(app):
    assert read_session(app, sign_value(SECRET, "csrf", VALUE)) is None
    assert read_session(app, sign_value(SECRET, "session", VALUE)) == VALUE


def test_expired_value_reads_absent(app, monkeypatch):
    signed = signed_session(app)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + DEFAULT_MAX_AGE - 60)
    assert read_session(app, signed) == VALUE
    monkeypatch.setattr(time, "time", lambda: now + DEFAULT_MAX_AGE + 60)
    assert read_session(app, signed) is None


def test_app_cookie_max_age_limits_reading(monkeypatch):
    app = make_app(cookie_max_age=10)
    signed = signed_session(app)
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + 20)
    assert read_session(app, signed) is None


def test_value_is_json_not_pickle(app):
    signed = signed_session(app)
    assert json.loads(base64_decode(signed.split(".")[0])) == VALUE
    pickled = URLSafeTimedSerializer(
        SECRET, salt="brubeck.cookie:session", serializer=pickle, signer_kwargs={"digest_method": hashlib.sha256}
    ).dumps(VALUE)
    assert unsign_value(SECRET, "session", pickled) is None


def test_set_cookie_default_attributes(app):
    [header] = app.handle(req("GET", "/set")).headers.get_all("Set-Cookie")
    attributes = header.split("; ")[1:]
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes
    assert "Path=/" in attributes
    assert f"Max-Age={DEFAULT_MAX_AGE}" in attributes
    assert "Secure" not in attributes


def test_cookie_secure_setting_adds_secure():
    [header] = make_app(cookie_secure=True).handle(req("GET", "/set")).headers.get_all("Set-Cookie")
    assert "Secure" in header.split("; ")


def test_two_cookies_give_two_set_cookie_headers(app):
    headers = app.handle(req("GET", "/two")).headers.get_all("Set-Cookie")
    assert len(headers) == 2
    assert headers[0].startswith("theme=dark; ")
    assert "Max-Age" not in headers[0]  # unsigned, no max_age: a session cookie
    assert headers[1].startswith("lang=fr; ")
    assert "Max-Age=60" in headers[1]


def test_delete_cookie(app):
    [header] = app.handle(req("GET", "/logout")).headers.get_all("Set-Cookie")
    assert header.startswith("session=; ")
    assert "Max-Age=0" in header.split("; ")


def test_set_cookie_header_options():
    header = set_cookie_header("a", "x y;z", path="/p", domain="example.com", samesite="none")
    assert header.split("; ") == ["a=x%20y%3Bz", "Path=/p", "Domain=example.com", "Secure", "HttpOnly", "SameSite=None"]


@pytest.mark.parametrize("name", ["", "a b", "a;b", "a=b", "a\r\nb"])
def test_set_cookie_header_refuses_bad_names(name):
    with pytest.raises(ValueError):
        set_cookie_header(name, "v")
