"""Handler, request and model calls of Brubeck 0.4 that ported code makes, and the monkey patch."""

import json
import os
import subprocess
import sys

import pytest

from brubeck import concurrency
from brubeck.auth import UserHandlingMixin, authenticated
from brubeck.models import User
from brubeck.request_handling import (
    CORO_LIBRARY,
    Brubeck,
    JSONMessageHandler,
    WebMessageHandler,
    coro_sleep,
    coro_spawn,
    http_response,
    render,
    to_bytes,
    to_unicode,
)
from tests.support.brubeck_requests import cookies_from, json_body, req
from tests.support.servers import ROOT

# -- set_body, delete_cookies -------------------------------------------------------------------


class Teapot(WebMessageHandler):
    def get(self):
        self.set_body("short and stout", headers={"X-Kind": "teapot"}, status_code=418)
        return self.render()


class ForgetMe(WebMessageHandler):
    def get(self):
        self.delete_cookies()
        return self.render()


def test_set_body_takes_headers_and_a_status_code():
    response = Brubeck(handler_tuples=[(r"/", Teapot)]).handle(req("GET", "/"))
    assert (response.status, response.body) == (418, b"short and stout")
    assert response.headers["X-Kind"] == "teapot"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"  # defaults stay


def test_set_body_refuses_header_injection():
    class Injector(WebMessageHandler):
        def get(self):
            self.set_body("x", headers={"X-A": "1\r\nSet-Cookie: evil=1"})

    response = Brubeck(handler_tuples=[(r"/", Injector)]).handle(req("GET", "/"))
    assert response.status == 500
    assert "Set-Cookie" not in response.headers


def test_delete_cookies_expires_every_cookie_the_browser_sent():
    response = Brubeck(handler_tuples=[(r"/", ForgetMe)]).handle(
        req("GET", "/", headers={"cookie": "session=abc; theme=dark"})
    )
    expired = sorted(header for header in response.headers.get_all("Set-Cookie"))
    assert [header.split("=", 1)[0] for header in expired] == ["session", "theme"]
    assert all("Max-Age=0" in header for header in expired)
    assert cookies_from(response) == {"cookie": "session=; theme="}


# -- current_user, current_userprofile, auth_error -----------------------------------------------------


class Profiled(UserHandlingMixin, JSONMessageHandler):
    profile_lookups = 0

    def get_current_user(self):
        return self.message.headers.get("x-user")

    def get_current_userprofile(self):
        Profiled.profile_lookups += 1
        return {"name": f"{self.current_user} the pianist"} if self.current_user else None

    @authenticated
    def get(self):
        self.add_to_payload("who", self.current_user)
        self.add_to_payload("profile", self.current_userprofile)
        self.add_to_payload("again", self.current_userprofile)


class CustomRefusal(Profiled):
    def auth_error(self):
        self.add_to_payload("hint", "log in at /login")
        return self.render(status_code=403)


def test_current_userprofile_is_computed_once_beside_current_user():
    Profiled.profile_lookups = 0
    response = Brubeck(handler_tuples=[(r"/", Profiled)]).handle(req("GET", "/", headers={"x-user": "dave"}))
    assert json_body(response) == {
        "who": "dave",
        "profile": {"name": "dave the pianist"},
        "again": {"name": "dave the pianist"},
    }
    assert Profiled.profile_lookups == 1


def test_authenticated_answers_401_by_default():
    response = Brubeck(handler_tuples=[(r"/", Profiled)]).handle(req("GET", "/"))
    assert response.status == 401
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"'


def test_authenticated_answers_with_the_handlers_auth_error_hook():
    response = Brubeck(handler_tuples=[(r"/", CustomRefusal)]).handle(req("GET", "/"))
    assert (response.status, json_body(response)) == (403, {"hint": "log in at /login"})


# -- User ------------------------------------------------------------------------------------------


def test_create_user_hashes_the_password_and_checks_it():
    user = User.create_user("JD", "foo bar baz", "JD@Example.com ")
    assert (user.username, user.email) == ("jd", "jd@example.com")
    assert user.password_hash.startswith("$2b$04$")
    assert user.check_password("foo bar baz")
    assert not user.check_password("foo")
    user.set_password("another one")
    assert user.check_password("another one") and not user.check_password("foo bar baz")


def test_create_user_without_email_and_with_a_bad_name():
    assert User.create_user("jd", "foo").email is None
    with pytest.raises(ValueError):
        User.create_user("not a name!", "foo")


# -- uploads ---------------------------------------------------------------------------------------


class Upload(WebMessageHandler):
    def post(self):
        upload = self.message.files["data"][0]
        assert upload["body"] == upload.body
        self.set_body(json.dumps([upload["filename"], upload["content_type"], upload["body"].decode()]))


def test_uploads_read_as_in_brubeck_0_4_and_by_attribute():
    body = (
        b'--B\r\nContent-Disposition: form-data; name="data"; filename="word.png"\r\n'
        b"Content-Type: image/png\r\n\r\nPNG!\r\n--B--\r\n"
    )
    app = Brubeck(csrf_protection=False, handler_tuples=[(r"/add_file", Upload)])
    response = app.handle(req("POST", "/add_file", {"content-type": "multipart/form-data; boundary=B"}, body))
    assert json.loads(response.body) == ["word.png", "image/png", "PNG!"]


def test_an_upload_has_no_other_keys():
    from brubeck.datastructures import UploadedFile

    with pytest.raises(KeyError):
        UploadedFile("a", "text/plain", b"")["path"]


# -- http_response ----------------------------------------------------------------------------------


def test_http_response_without_a_content_type_is_html_and_not_sniffed():
    response = http_response("Take five!", 200, "OK", {})
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert http_response("{}", 200, "OK", {"content-type": "application/json"}).headers.get_all("Content-Type") == [
        "application/json"
    ]


def test_render_and_the_text_helpers_of_0_4():
    response = render("Take five!", 201, "Created", {"X-Kind": "jazz"})
    assert (response.status_line, response.body, response.headers["X-Kind"]) == ("201 Created", b"Take five!", "jazz")
    assert to_bytes("caf\u00e9") == "caf\u00e9".encode() and to_bytes(b"raw") == b"raw" and to_bytes(5) == b"5"
    assert to_unicode("caf\u00e9".encode()) == "caf\u00e9" and to_unicode("text") == "text" and to_unicode(5) == "5"


def test_the_coroutine_helpers_of_0_4_run_on_brubecks_library():
    assert CORO_LIBRARY == concurrency.NAME
    seen = []
    app = Brubeck()
    greenlet = coro_spawn(lambda application, message, extra: seen.append((application, message, extra)), app, "m", 1)
    coro_sleep(0.01)
    assert greenlet is not None and seen == [(app, "m", 1)]


# -- the request's own get_argument ------------------------------------------------------------------


def test_request_get_argument_and_get_arguments():
    message = req("GET", "/?name=%20Paul%20&tag=a&tag=b")
    assert message.get_argument("name") == "Paul"
    assert message.get_argument("name", strip=False) == " Paul "
    assert message.get_argument("missing", "dude") == "dude"
    assert message.get_arguments("tag") == ["a", "b"]


# -- the monkey patch ------------------------------------------------------------------------------------

PROBE = (
    "import brubeck, socket, threading, time; "
    "print(time.sleep.__module__.split('.')[0], socket.socket.__module__.split('.')[0])"
)


@pytest.mark.parametrize("library", ["gevent", "eventlet"])
@pytest.mark.parametrize("setting, patched", [(None, True), ("1", True), ("0", False), ("off", False)])
def test_importing_brubeck_patches_the_standard_library_unless_turned_off(library, setting, patched):
    env = {k: v for k, v in os.environ.items() if k != "BRUBECK_MONKEY_PATCH"}
    env.update(BRUBECK_CONCURRENCY=library, PYTHONPATH=str(ROOT))
    if setting is not None:
        env["BRUBECK_MONKEY_PATCH"] = setting
    output = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True)
    modules = output.stdout.split()
    if patched:
        assert modules == [library, library], modules
    else:
        assert modules == ["time", "socket"]
