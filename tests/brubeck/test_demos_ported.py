"""The ported Brubeck 0.4 demos behind a real Mongrel2, driven as their docstrings say.

Jinja2 without classes, Mako, Tornado and Mustache templates, the auth demo,
multipart uploads, and the monkey-patching that keeps a blocking call from
stalling the process.  The app process runs under gevent; the tests marked
``@both_libraries`` run under eventlet too.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.raw_http import csrf_token
from tests.support.servers import both_libraries

pytestmark = pytest.mark.integration
TIMEOUT = 10
SCRIPT = '<script>alert("x")</script>'


def assert_escaped(page: str) -> None:
    """The ``SCRIPT`` name is in the page as text, never as a tag."""
    assert "&lt;script&gt;alert(" in page
    assert "<script>" not in page


# -- Jinja2 from a function route ---------------------------------------------------------------


def test_jinja2_function_route_renders_the_name_by_get_and_post(serve):
    url = serve("demos.jinja2_noclasses").url
    default = requests.get(url + "/", timeout=TIMEOUT)
    assert (default.status_code, default.reason) == (200, "OK")
    assert "<h1>Take five, dude!</h1>" in default.text
    assert "<title>Take five, dude</title>" in default.text  # success.html extends base.html

    named = requests.get(url + "/", params={"name": "Mingus"}, timeout=TIMEOUT)
    assert "<h1>Take five, Mingus!</h1>" in named.text

    posted = requests.post(url + "/", data={"name": "Dave"}, timeout=TIMEOUT)  # function routes: no CSRF check
    assert posted.status_code == 200
    assert "<h1>Take five, Dave!</h1>" in posted.text

    elsewhere = requests.get(url + "/any/path", timeout=TIMEOUT)  # a pattern matches the whole path: '^/' is '/'
    assert elsewhere.status_code == 404
    assert '<h1 class="error-code">404 Not Found</h1>' in elsewhere.text


def test_jinja2_function_route_escapes_the_name(serve):
    url = serve("demos.jinja2_noclasses").url
    response = requests.post(url + "/", data={"name": SCRIPT}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert_escaped(response.text)


# -- Mako and Tornado: inheritance, escaping, error pages ---------------------------------------

TEMPLATE_DEMOS = [("demos.mako_demo", "Rendered by Mako."), ("demos.tornado_demo", "Rendered by Tornado's templates.")]


@pytest.mark.parametrize(("module", "footer"), TEMPLATE_DEMOS, ids=["mako", "tornado"])
def test_template_demo_renders_the_name_inside_its_base_template(serve, module, footer):
    url = serve(module).url
    default = requests.get(url + "/", timeout=TIMEOUT)
    assert default.status_code == 200
    assert default.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<h1>Take five, dude!</h1>" in default.text
    assert "<title>Take five, dude</title>" in default.text  # the child fills the base's title block
    assert f'<p class="engine">{footer}</p>' in default.text  # ... and the base's own markup is there

    named = requests.get(url + "/", params={"name": "Mingus"}, timeout=TIMEOUT)
    assert "<h1>Take five, Mingus!</h1>" in named.text


@pytest.mark.parametrize(("module", "footer"), TEMPLATE_DEMOS, ids=["mako", "tornado"])
def test_template_demo_escapes_the_name(serve, module, footer):
    response = requests.get(serve(module).url + "/", params={"name": SCRIPT}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert_escaped(response.text)
    assert footer in response.text  # the base template's markup is not escaped


@pytest.mark.parametrize(("module", "footer"), TEMPLATE_DEMOS, ids=["mako", "tornado"])
def test_template_demo_errors_use_its_error_template(serve, module, footer):
    url = serve(module).url
    missing = requests.get(url + "/nowhere", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert '<h1 class="error-code">404 Not Found</h1>' in missing.text
    assert footer in missing.text  # errors.html of this engine, extending its base

    refused = requests.post(url + "/", timeout=TIMEOUT)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert '<h1 class="error-code">405 Method Not Allowed</h1>' in refused.text


# -- Mustache: partials, escaping, errors.mustache -----------------------------------------------


def test_mustache_renders_partials_within_partials(serve):
    url = serve("demos.mustache_demo").url
    response = requests.get(url + "/", params={"name": "Mingus"}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert "<title>Take five, Mingus</title>" in response.text  # success.mustache
    assert "<h1>Take five, Mingus!</h1>" in response.text  # {{> take_five}}
    assert '<p class="nested">This line comes from a partial included' in response.text  # {{> nested_partial}}
    assert "{{" not in response.text

    default = requests.get(url + "/", timeout=TIMEOUT)
    assert "<h1>Take five, dude!</h1>" in default.text


@both_libraries
def test_mustache_escapes_the_name_and_uses_errors_mustache(serve):
    url = serve("demos.mustache_demo").url
    page = requests.get(url + "/", params={"name": SCRIPT}, timeout=TIMEOUT)
    assert page.status_code == 200
    assert_escaped(page.text)
    assert "<h1>Take five, &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;!</h1>" in page.text

    missing = requests.get(url + "/nowhere", timeout=TIMEOUT)
    assert missing.status_code == 404
    assert "<title>404 Not Found</title>" in missing.text
    assert '<h1 class="error-code">404 Not Found</h1>' in missing.text
    assert '<p class="error-message">Not Found</p>' in missing.text


# -- auth: credentials with every request ---------------------------------------------------------


@pytest.fixture
def auth_url(serve) -> str:
    return serve("demos.auth", env={"BRUBECK_BCRYPT_ROUNDS": "4"}).url + "/brubeck"


def test_auth_accepts_the_demo_user_without_cookie_or_csrf_token(auth_url):
    # curl -d username=jd -d password=foo http://localhost:6767/brubeck
    response = requests.post(auth_url, data={"username": "jd", "password": "foo"}, timeout=TIMEOUT)
    assert (response.status_code, response.text) == (200, "jd logged in successfully!")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "jd", "password": "bar"},  # wrong password
        {"username": "jd", "password": "foo "},  # the password is not stripped
        {"username": "bob", "password": "foo"},  # unknown user
        {"username": "jd"},  # no password
        {"password": "foo"},  # no username
        {},  # nothing
    ],
    ids=["wrong-password", "padded-password", "wrong-user", "no-password", "no-username", "nothing"],
)
def test_auth_refuses_wrong_or_missing_credentials_with_401(auth_url, credentials):
    response = requests.post(auth_url, data=credentials, timeout=TIMEOUT)
    assert (response.status_code, response.text) == (401, "Wrong username or password.")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "WWW-Authenticate" not in response.headers


def test_auth_answers_only_post(auth_url):
    response = requests.get(auth_url, params={"username": "jd", "password": "foo"}, timeout=TIMEOUT)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST, OPTIONS"


# -- multipart uploads -----------------------------------------------------------------------------


@pytest.fixture
def upload_url(serve) -> str:
    return serve("demos.multipart", ready_path="/add_file", fresh=True).url + "/add_file"


def upload(session: requests.Session, url: str, files: dict, with_token: bool = True) -> requests.Response:
    """Fetch the form (for its CSRF cookie and token) and post ``files`` to it as multipart/form-data."""
    form = session.get(url, timeout=TIMEOUT)
    assert form.status_code == 200
    fields = {"_csrf": (None, csrf_token(form.text))} if with_token else {"comment": (None, "no token")}
    return session.post(url, files={**fields, **files}, allow_redirects=False, timeout=TIMEOUT)


def test_multipart_form_page(serve):
    url = serve("demos.multipart", fresh=True).url  # the uploads are kept in the process
    root = requests.get(url + "/", allow_redirects=False, timeout=TIMEOUT)
    assert (root.status_code, root.headers["Location"]) == (302, "/add_file")

    form = requests.get(url + "/add_file", timeout=TIMEOUT)
    assert form.status_code == 200
    assert '<form action="/add_file" method="post" enctype="multipart/form-data">' in form.text
    assert '<input type="file" name="data"' in form.text
    assert csrf_token(form.text)
    assert "Nothing uploaded yet." in form.text


def test_multipart_upload_is_listed_escaped(upload_url):
    with requests.Session() as session:
        response = upload(session, upload_url, {"data": ("notes<b>.txt", b"take five\n", "text/x-<i>")})
        assert (response.status_code, response.headers["Location"]) == (302, "/add_file")

        page = session.get(upload_url, timeout=TIMEOUT).text
        assert (
            '<tr class="upload"><td class="name">notes&lt;b&gt;.txt</td><td class="size">10</td>'
            '<td class="type">text/x-&lt;i&gt;</td></tr>'
        ) in page
        assert "<b>" not in page and "<i>" not in page
        assert "Nothing uploaded yet." not in page


def test_multipart_keeps_a_file_of_exactly_one_megabyte_and_refuses_a_larger_one(upload_url):
    with requests.Session() as session:
        fits = upload(session, upload_url, {"data": ("fits.bin", b"\0\xff" * (512 * 1024), "application/x-demo")})
        assert fits.status_code == 302
        too_big = upload(session, upload_url, {"data": ("big.bin", b"x" * (1024 * 1024 + 1), "application/x-demo")})
        assert too_big.status_code == 413
        assert '<h1 class="error-code">413 Request Entity Too Large</h1>' in too_big.text
        assert "That file is 1,048,577 bytes; this demo keeps files of at most 1 MB (1,048,576 bytes)." in too_big.text

        page = session.get(upload_url, timeout=TIMEOUT).text
        assert '<td class="name">fits.bin</td><td class="size">1048576</td>' in page
        assert "big.bin" not in page


@pytest.mark.parametrize(
    "files",
    [
        {},  # a multipart form with no file field at all
        {"data": ("", b"", "application/octet-stream")},  # the file input left empty, as browsers send it
    ],
    ids=["no-field", "empty-field"],
)
def test_multipart_refuses_a_form_without_a_file(upload_url, files):
    with requests.Session() as session:
        response = upload(session, upload_url, files)
        assert response.status_code == 400
        assert '<h1 class="error-code">400 Bad Request</h1>' in response.text
        assert "Choose a file to upload: the form had none." in response.text
        assert "Nothing uploaded yet." in session.get(upload_url, timeout=TIMEOUT).text


def test_multipart_upload_needs_the_csrf_token(upload_url):
    with requests.Session() as session:
        response = upload(session, upload_url, {"data": ("a.txt", b"a", "text/plain")}, with_token=False)
        assert response.status_code == 403
        assert "Nothing uploaded yet." in session.get(upload_url, timeout=TIMEOUT).text


def test_multipart_keeps_only_the_last_ten_uploads(upload_url):
    with requests.Session() as session:
        for n in range(11):
            assert upload(session, upload_url, {"data": (f"file{n}.txt", b"x" * n, "text/plain")}).status_code == 302
        page = session.get(upload_url, timeout=TIMEOUT).text
    names = [f"file{n}.txt" for n in range(10, 0, -1)]
    assert page.count('<tr class="upload">') == 10
    positions = [page.index(f'<td class="name">{name}</td>') for name in names]
    assert positions == sorted(positions)  # newest first
    assert "file0.txt" not in page


# -- a blocking call does not stall the process ------------------------------------------------------


def four_sleeps(url: str) -> float:
    """Seconds taken by four parallel requests to /sleep (each calls time.sleep(1))."""
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(lambda _: requests.get(url + "/sleep", timeout=15).text, range(4)))
    elapsed = time.monotonic() - started
    assert bodies == ["slept"] * 4
    return elapsed


@both_libraries
def test_time_sleep_in_a_handler_does_not_stall_other_requests(serve):
    elapsed = four_sleeps(serve("tests.support.apps.probe_app").url)
    assert elapsed < 2.5, f"4 parallel one-second sleeps took {elapsed:.2f}s: the process is not monkey-patched"


def test_without_monkey_patching_time_sleep_stalls_the_process(serve):
    elapsed = four_sleeps(serve("tests.support.apps.probe_app", env={"BRUBECK_MONKEY_PATCH": "0"}).url)
    assert elapsed >= 3.5, f"4 parallel one-second sleeps took only {elapsed:.2f}s with BRUBECK_MONKEY_PATCH=0"
