"""Brubeck behind a real Mongrel2: the demos and a probe app, driven over HTTP.

The app process runs under gevent; the tests marked ``@both_libraries`` run under eventlet too.
"""

from __future__ import annotations

import hashlib
import os
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.apps.probe_app import PROBE_SECRET
from tests.support.raw_http import csrf_token
from tests.support.servers import both_libraries

pytestmark = pytest.mark.integration
TIMEOUT = 10


# -- hello world, function routes, URL arguments --------------------------------------------


@both_libraries
def test_the_app_runs_on_the_requested_coroutine_library(serve, concurrency):
    response = requests.get(serve("tests.support.apps.probe_app").url + "/concurrency", timeout=TIMEOUT)
    assert (response.status_code, response.text) == (200, concurrency)


@both_libraries
def test_hello_world(serve):
    url = serve("demos.hello").url
    response = requests.get(url + "/", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.text == "Hello world"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Content-Length"] == "11"

    head = requests.head(url + "/", timeout=TIMEOUT)
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Length"] == "11"


def test_function_route(serve):
    url = serve("demos.functions").url
    response = requests.get(url + "/brubeck", timeout=TIMEOUT)
    assert (response.status_code, response.reason, response.text) == (200, "OK", "Take five!")

    posted = requests.post(url + "/brubeck", data=b"x" * 1000, timeout=TIMEOUT)
    assert (posted.status_code, posted.text) == (200, "Took 1000 bytes.")

    refused = requests.delete(url + "/brubeck", timeout=TIMEOUT)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, POST, OPTIONS"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/class/alice", "Class: hello, alice!"),  # named group -> keyword argument
        ("/fun/bob", "Function: hello, bob!"),  # positional group -> function argument
        ("/sum/2/3", "2 + 3 = 5"),  # two positional groups, in order
        ("/class/%C3%A9mile", "Class: hello, émile!"),  # percent-encoded UTF-8 is decoded before matching
    ],
)
def test_url_arguments(serve, path, body):
    response = requests.get(serve("demos.urlargs").url + path, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.text == body


@pytest.mark.parametrize("path", ["/class/al-ice", "/fun/", "/class/alice/extra", "/sum/2/x"])
def test_url_arguments_must_match_the_whole_path(serve, path):
    response = requests.get(serve("demos.urlargs").url + path, timeout=TIMEOUT)
    assert response.status_code == 404


def test_concurrent_requests_each_get_their_own_reply(serve):
    """Messages are taken and replies published in batches: none may go to the wrong client."""
    url = serve("demos.urlargs").url
    with requests.Session() as session, ThreadPoolExecutor(max_workers=40) as pool:
        session.mount("http://", requests.adapters.HTTPAdapter(pool_maxsize=40))
        bodies = list(pool.map(lambda n: session.get(f"{url}/class/user{n}", timeout=TIMEOUT).text, range(400)))
    assert bodies == [f"Class: hello, user{n}!" for n in range(400)]


# -- templates ---------------------------------------------------------------------------------


@both_libraries
def test_jinja2_page_escapes_the_query_value(serve):
    url = serve("demos.jinja2_demo").url
    response = requests.get(url + "/", params={"name": '<script>alert("x")</script>'}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert "<h1>Take five, &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;!</h1>" in response.text
    assert "<script>" not in response.text


def test_jinja2_errors_use_the_error_template(serve):
    url = serve("demos.jinja2_demo").url
    missing = requests.get(url + "/nowhere", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert '<h1 class="error-code">404 Not Found</h1>' in missing.text

    refused = requests.post(url + "/", timeout=TIMEOUT)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert '<h1 class="error-code">405 Method Not Allowed</h1>' in refused.text


# -- errors --------------------------------------------------------------------------------------


def test_unknown_path_is_404_and_wrong_method_is_405_with_allow(serve):
    url = serve("demos.hello").url
    missing = requests.get(url + "/no/such/page", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert "404 Not Found" in missing.text

    refused = requests.put(url + "/", data="x", timeout=TIMEOUT)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"

    options = requests.options(url + "/", timeout=TIMEOUT)
    assert options.status_code == 204
    assert options.headers["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", ["/boom", "/boom-fn"], ids=["handler-class", "function-route"])
def test_a_handler_that_raises_answers_500_and_reveals_nothing(serve, path):
    url = serve("tests.support.apps.probe_app").url
    response = requests.get(url + path, timeout=TIMEOUT)
    assert response.status_code == 500
    assert "500 Internal Server Error" in response.text
    for leak in (PROBE_SECRET, "hunter2", "Traceback", "RuntimeError", "KeyError", "probe_app", ".py"):
        assert leak not in response.text
    # the process survived and still serves
    assert requests.get(url + "/", timeout=TIMEOUT).text == "probe ready"


# -- request bodies and CSRF --------------------------------------------------------------------------


def test_two_megabyte_post_body_is_echoed_back(serve):
    url = serve("tests.support.apps.probe_app").url
    body = os.urandom(2 * 1024 * 1024)
    response = requests.post(url + "/echo", data=body, headers={"Content-Type": "application/octet-stream"}, timeout=30)
    assert response.status_code == 200
    assert response.headers["X-Body-Length"] == str(len(body))
    assert response.headers["X-Body-Sha256"] == hashlib.sha256(body).hexdigest()
    assert response.content == body


def test_json_post_needs_a_csrf_token(serve):
    url = serve("tests.support.apps.probe_app").url
    refused = requests.post(url + "/json-echo", json={"a": 1}, timeout=TIMEOUT)
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/json"
    assert refused.json()["error"]["code"] == 403

    # An Authorization header alone exempts nothing (a Basic-auth proxy adds one to every browser request).
    still_refused = requests.post(
        url + "/json-echo", json={"a": 1}, headers={"Authorization": "Token t"}, timeout=TIMEOUT
    )
    assert still_refused.status_code == 403

    # The token from the CSRF cookie, sent as X-CSRF-Token, is what lets a script's JSON through.
    session = requests.Session()
    token = csrf_token(session.get(url + "/form", timeout=TIMEOUT).text)
    allowed = session.post(url + "/json-echo", json={"a": [1, "ü"]}, headers={"X-CSRF-Token": token}, timeout=TIMEOUT)
    assert allowed.status_code == 200
    assert allowed.json() == {"echo": {"a": [1, "ü"]}}


# -- cookies and login --------------------------------------------------------------------------------


@pytest.fixture
def login_url(serve) -> str:
    return serve("demos.login", env={"COOKIE_SECRET": "integration-test-secret"}).url


def log_in(
    session: requests.Session,
    url: str,
    password: str = "wonderland",
    next_url: str = "/profile",
    username: str = "alice",
) -> requests.Response:
    """Fetch the login form (which sets the CSRF cookie) and post it back with its token."""
    form = session.get(f"{url}/login", params={"next": next_url}, timeout=TIMEOUT)
    assert form.status_code == 200
    fields = {"_csrf": csrf_token(form.text), "username": username, "password": password, "next": next_url}
    return session.post(f"{url}/login", data=fields, allow_redirects=False, timeout=TIMEOUT)


def test_protected_page_redirects_to_login_with_next_and_back_after_login(login_url):
    with requests.Session() as session:
        response = session.get(login_url + "/profile", allow_redirects=False, timeout=TIMEOUT)
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=/profile"

        form = session.get(login_url + response.headers["Location"], timeout=TIMEOUT)
        assert form.status_code == 200
        assert '<input type="hidden" name="next" value="/profile">' in form.text
        assert "_csrf" in session.cookies

        fields = {"_csrf": csrf_token(form.text), "next": "/profile", "username": "alice", "password": "wonderland"}
        page = session.post(login_url + "/login", data=fields, timeout=TIMEOUT)  # follows the redirect
        assert [r.status_code for r in page.history] == [302]
        assert page.url == login_url + "/profile"
        assert page.status_code == 200
        assert '<strong class="username">alice</strong>' in page.text


@both_libraries
def test_login_sets_a_cookie_that_the_next_request_reads(login_url):
    with requests.Session() as session:
        response = log_in(session, login_url)
        assert response.status_code == 302
        assert response.headers["Location"] == "/profile"
        [user_cookie] = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("user=")]
        assert "HttpOnly" in user_cookie and "SameSite=Lax" in user_cookie and "Path=/" in user_cookie

        page = session.get(login_url + "/profile", allow_redirects=False, timeout=TIMEOUT)
        assert page.status_code == 200
        assert '<strong class="username">alice</strong>' in page.text
        # signed in: the login page sends you on instead of showing the form
        again = session.get(login_url + "/login", params={"next": "/"}, allow_redirects=False, timeout=TIMEOUT)
        assert (again.status_code, again.headers["Location"]) == (302, "/")


def test_a_tampered_cookie_is_ignored(login_url):
    with requests.Session() as session:
        assert log_in(session, login_url).status_code == 302
        signed = session.cookies["user"]
        rest = signed.split(".", 1)[1]
        for forged in (
            signed[:-2] + ("AA" if not signed.endswith("AA") else "BB"),  # bad signature
            "Ym9i." + rest,  # another user's name
            "alice",
        ):  # not signed at all
            assert forged != signed
            response = requests.get(
                login_url + "/profile", cookies={"user": forged}, allow_redirects=False, timeout=TIMEOUT
            )
            assert response.status_code == 302, forged
            assert response.headers["Location"] == "/login?next=/profile"
        # the genuine cookie still works
        genuine = requests.get(login_url + "/profile", cookies={"user": signed}, timeout=TIMEOUT)
        assert '<strong class="username">alice</strong>' in genuine.text


def test_wrong_password_shows_the_form_again(login_url):
    with requests.Session() as session:
        response = log_in(session, login_url, password="wrong")
        assert response.status_code == 200
        assert "Wrong username or password." in response.text
        assert "user" not in session.cookies
        unknown = log_in(session, login_url, username="mallory")
        assert "Wrong username or password." in unknown.text
        assert "user" not in session.cookies


def test_login_without_the_csrf_token_is_refused(login_url):
    with requests.Session() as session:
        session.get(login_url + "/login", timeout=TIMEOUT)  # has the cookie, but does not send the token
        response = session.post(
            login_url + "/login",
            data={"username": "alice", "password": "wonderland"},
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code == 403
        assert "user" not in session.cookies


def test_logout_is_a_post_that_forgets_the_user(login_url):
    with requests.Session() as session:
        assert log_in(session, login_url).status_code == 302
        home = session.get(login_url + "/", timeout=TIMEOUT)
        assert home.status_code == 200
        assert session.get(login_url + "/logout", allow_redirects=False, timeout=TIMEOUT).status_code == 405

        response = session.post(
            login_url + "/logout", data={"_csrf": csrf_token(home.text)}, allow_redirects=False, timeout=TIMEOUT
        )
        assert (response.status_code, response.headers["Location"]) == (302, "/login")
        assert "user" not in session.cookies
        after = session.get(login_url + "/profile", allow_redirects=False, timeout=TIMEOUT)
        assert after.status_code == 302


# -- streamed responses --------------------------------------------------------------------------------------


def test_a_streamed_response_comes_in_chunks_and_the_connection_goes_on(serve):
    url = serve("tests.support.apps.probe_app").url
    with requests.Session() as session:
        response = session.get(url + "/stream?pieces=5", stream=True, timeout=TIMEOUT)
        assert response.headers["Transfer-Encoding"] == "chunked" and "Content-Length" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.content == b"".join(str(n).encode() * 10_000 for n in range(5))
        assert session.get(url + "/", timeout=TIMEOUT).text == "probe ready"  # the same connection, kept alive


def test_a_streamed_response_that_fails_halfway_is_cut_short_never_looking_whole(serve):
    url = serve("tests.support.apps.probe_app").url
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(url + "/stream?pieces=5&fail=2", timeout=TIMEOUT).content  # noqa: B018
    assert requests.get(url + "/", timeout=TIMEOUT).text == "probe ready"


def test_a_streamed_response_to_http_1_0_comes_whole_with_its_length(serve):
    endpoint = serve("tests.support.apps.probe_app")
    with socket.create_connection(("127.0.0.1", endpoint.port), timeout=TIMEOUT) as connection:
        connection.sendall(b"GET /stream?pieces=2 HTTP/1.0\r\nHost: localhost\r\n\r\n")
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Content-Length: 20000" in head and b"chunked" not in head and body == b"0" * 10_000 + b"1" * 10_000
