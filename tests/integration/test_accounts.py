"""The shared account pages, through Mongrel2: sign-up, login, logout, CSRF, throttling, API tokens.

Every test runs Listsurf (``python -m listsurf``) behind a fresh Mongrel2
with its own embedded database, which the test opens to check what is stored.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

import pytest
import requests

from brubeck.mongrel2_server import free_port
from shared import db_conn
from shared.models import ApiToken
from shared.throttle import REFUSE_AFTER, WINDOW_MS
from tests.conftest import Endpoint, SiteClient

pytestmark = pytest.mark.integration

PASSWORD = "correct horse"
NEW_KEY = re.compile(r'<code class="key">([^<]+)</code>')


@dataclass
class Listsurf:
    """A running Listsurf and the folder of its embedded database."""

    endpoint: Endpoint
    data_dir: Path

    @property
    def url(self) -> str:
        return self.endpoint.url

    def client(self) -> SiteClient:
        return SiteClient(self.url)

    def db(self) -> Any:
        return db_conn.connect(url="", data_dir=self.data_dir)


@pytest.fixture
def listsurf(site: Callable[..., Endpoint], tmp_path: Path) -> Listsurf:
    data_dir = tmp_path / "listsurf-data"
    return Listsurf(site("listsurf", data_dir=data_dir), data_dir)


@pytest.fixture
def alice(listsurf: Listsurf) -> SiteClient:
    """A browser signed in as a new user "alice"."""
    browser = listsurf.client()
    browser.sign_up("alice", PASSWORD)
    return browser


def log_in(browser: SiteClient, username: str, password: str, next_url: str = "") -> requests.Response:
    return browser.post_form("/login", {"username": username, "password": password, "next": next_url})


def set_cookie_headers(response: requests.Response) -> dict[str, str]:
    """Each Set-Cookie header of a response, by cookie name."""
    headers = response.raw.headers.getlist("Set-Cookie")
    return {header.split("=", 1)[0]: header for header in headers}


def fetch(browser: SiteClient, path: str) -> requests.Response:
    """GET without following redirects (``Session.get`` would follow them)."""
    return browser.get(path, allow_redirects=False)


def username_field(page: str) -> str:
    found = re.search(r'<input id="f-username" name="username" type="text" value="([^"]*)"', page)
    assert found, "no username field on the page"
    return unescape(found.group(1))


def assert_signed_out(browser: SiteClient) -> None:
    """The list page sends a signed-out browser to the login page."""
    response = fetch(browser, "/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def assert_signed_in_as(browser: SiteClient, username: str) -> None:
    response = fetch(browser, "/")
    assert response.status_code == 200, response.text
    assert f'<span class="who">{username}</span>' in response.text


# -- create account ---------------------------------------------------------------------------------


def test_create_account_signs_in_with_a_safe_session_cookie(listsurf: Listsurf) -> None:
    browser = listsurf.client()
    response = browser.post_form("/create", {"username": "Alice", "password": PASSWORD, "email": "a@example.com"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    session = set_cookie_headers(response)["session"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert_signed_in_as(browser, "alice")

    stored = listsurf.db().users.find_one({"_id": "alice"})
    assert stored["username"] == "alice" and stored["email"] == "a@example.com"
    assert stored["password_hash"].startswith("$2") and PASSWORD not in repr(stored)
    assert abs(stored["created_at"] - time.time() * 1000) < 120_000
    assert isinstance(stored["last_login"], int)


def test_taken_username_is_refused_case_insensitively_and_not_overwritten(listsurf: Listsurf) -> None:
    listsurf.client().sign_up("alice", PASSWORD)
    intruder = listsurf.client()
    response = intruder.post_form("/create", {"username": "Alice", "password": "another password",
                                              "email": "intruder@example.com"})
    assert response.status_code == 409
    assert "That username is taken. Choose another." in response.text
    assert username_field(response.text) == "Alice"
    assert "session" not in set_cookie_headers(response)
    assert_signed_out(intruder)

    assert listsurf.db().users.count_documents({}) == 1
    assert listsurf.db().users.find_one({"_id": "alice"}).get("email") is None
    assert log_in(listsurf.client(), "alice", "another password").status_code == 401
    assert log_in(listsurf.client(), "ALICE", PASSWORD).status_code == 302


@pytest.mark.parametrize(("form", "field", "message"), [
    ({"username": "bob", "password": "short"}, "password", "Use at least 8 characters."),
    ({"username": "bob", "password": ""}, "password", "Use at least 8 characters."),
    ({"username": "b", "password": PASSWORD}, "username",
     "Use 2 to 30 characters: letters, digits, dots, dashes or underscores."),
    ({"username": "bob smith!", "password": PASSWORD}, "username",
     "Use 2 to 30 characters: letters, digits, dots, dashes or underscores."),
    ({"username": "bob", "password": PASSWORD, "email": "not-an-email"}, "email",
     "That does not look like an email address."),
])
def test_bad_sign_up_is_refused_with_a_message(listsurf: Listsurf, form: dict[str, str], field: str,
                                               message: str) -> None:
    browser = listsurf.client()
    response = browser.post_form("/create", form)
    assert response.status_code == 400
    assert f'<p class="error" id="e-{field}">{message}</p>' in unescape(response.text)
    assert username_field(response.text) == form["username"]
    if form["password"]:
        assert form["password"] not in response.text
    assert listsurf.db().users.count_documents({}) == 0
    assert_signed_out(browser)


# -- login ------------------------------------------------------------------------------------------


def test_wrong_password_says_so_and_keeps_the_username(alice: SiteClient, listsurf: Listsurf) -> None:
    browser = listsurf.client()
    response = log_in(browser, "Alice", "wrong-pass-1234")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert username_field(response.text) == "Alice"
    assert "wrong-pass-1234" not in response.text
    assert 'type="password" required' in response.text  # the password field is empty
    assert_signed_out(browser)


def test_unknown_username_gets_the_same_answer(alice: SiteClient, listsurf: Listsurf) -> None:
    response = log_in(listsurf.client(), "nobody", PASSWORD)
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert username_field(response.text) == "nobody"


def test_login_signs_in_and_records_the_time(alice: SiteClient, listsurf: Listsurf) -> None:
    before = int(time.time() * 1000)
    browser = listsurf.client()
    response = log_in(browser, "alice", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "HttpOnly" in set_cookie_headers(response)["session"]
    assert_signed_in_as(browser, "alice")
    assert listsurf.db().users.find_one({"_id": "alice"})["last_login"] >= before - 1000


@pytest.mark.parametrize(("next_url", "location"), [
    ("/add_item?u=https%3A%2F%2Fexample.com", "/add_item?u=https%3A%2F%2Fexample.com"),
    ("/tokens", "/tokens"),
    ("//evil.example", "/"),
    ("https://evil.example", "/"),
    ("https://evil.example/path", "/"),
    ("/\\evil.example", "/"),
])
def test_login_follows_next_only_within_the_site(alice: SiteClient, listsurf: Listsurf, next_url: str,
                                                 location: str) -> None:
    response = log_in(listsurf.client(), "alice", PASSWORD, next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == location


def test_login_page_remembers_next_from_the_redirect(listsurf: Listsurf) -> None:
    browser = listsurf.client()
    first = fetch(browser, "/tokens")
    assert first.status_code == 302 and first.headers["Location"] == "/login?next=/tokens"
    page = fetch(browser, first.headers["Location"])
    assert '<input type="hidden" name="next" value="/tokens">' in page.text


# -- logout -----------------------------------------------------------------------------------------


def test_logout_is_post_only_and_ends_the_session(alice: SiteClient) -> None:
    response = fetch(alice, "/logout")
    assert response.status_code == 405
    assert "POST" in response.headers.get("Allow", "")
    assert_signed_in_as(alice, "alice")

    token = alice.csrf_token("/")
    response = alice.post("/logout", data={"_csrf": token})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    cleared = set_cookie_headers(response)["session"]
    assert cleared.startswith('session="";') or cleared.startswith("session=;")
    assert "Max-Age=0" in cleared
    assert "session" not in alice.cookies
    assert_signed_out(alice)


def test_logout_ends_copies_of_the_session_cookie_too(alice: SiteClient, listsurf: Listsurf) -> None:
    stolen = listsurf.client()
    stolen.cookies.set("session", alice.cookies["session"])
    assert_signed_in_as(stolen, "alice")
    response = alice.post("/logout", data={"_csrf": alice.csrf_token("/")})
    assert response.status_code == 302
    assert_signed_out(stolen)
    assert log_in(alice, "alice", PASSWORD).status_code == 302
    assert_signed_in_as(alice, "alice")


# -- session cookie ---------------------------------------------------------------------------------


def tamper(value: str) -> str:
    """``value`` with one character near its end changed.

    Not the last character: in base64 its low bits may be padding, and changing
    only those would leave the signature's bytes as they were.
    """
    position = len(value) - 5
    return value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1:]


def test_tampered_session_cookie_counts_as_signed_out(alice: SiteClient, listsurf: Listsurf) -> None:
    genuine = alice.cookies.get("session")
    assert genuine
    forged = listsurf.client()
    forged.cookies.set("session", tamper(genuine))
    assert_signed_out(forged)
    response = fetch(forged, "/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/tokens"


def test_session_cookie_with_another_name_inside_is_refused(alice: SiteClient, listsurf: Listsurf) -> None:
    listsurf.client().sign_up("bob", PASSWORD)
    payload, _, signature = alice.cookies.get("session").partition(".")
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == {"u": "alice", "e": 0}
    bob_payload = base64.urlsafe_b64encode(b'{"u":"bob","e":0}').decode().rstrip("=")
    forged = listsurf.client()
    forged.cookies.set("session", f"{bob_payload}.{signature}")  # alice's signature on bob's name
    assert_signed_out(forged)


def test_unsigned_session_cookie_is_ignored(alice: SiteClient, listsurf: Listsurf) -> None:
    forged = listsurf.client()
    forged.cookies.set("session", '{"u": "alice", "e": 0}')
    assert_signed_out(forged)


# -- CSRF -------------------------------------------------------------------------------------------

CSRF_MESSAGE = "This form has expired or did not come from this site."
NO_TOKEN_MESSAGE = "This request has no CSRF token, so it was refused. If you wrote this form: put {{ csrf_field() }}"


@pytest.mark.parametrize("path", ["/login", "/create", "/logout"])
def test_post_without_csrf_token_is_forbidden(listsurf: Listsurf, path: str) -> None:
    browser = listsurf.client()
    browser.csrf_token("/login")  # the browser has a CSRF cookie, but the form does not send the token
    response = browser.post(path, data={"username": "carol", "password": PASSWORD})
    assert response.status_code == 403
    assert NO_TOKEN_MESSAGE in response.text
    assert listsurf.db().users.count_documents({}) == 0


def test_post_with_a_wrong_csrf_token_is_forbidden(alice: SiteClient, listsurf: Listsurf) -> None:
    real = alice.csrf_token("/tokens")
    for wrong in (tamper(real), "x" * len(real)):
        response = alice.post("/tokens", data={"name": "phone", "_csrf": wrong})
        assert response.status_code == 403
        assert CSRF_MESSAGE in response.text
    assert listsurf.db().tokens.count_documents({}) == 0
    response = alice.post("/logout", data={"_csrf": tamper(real)})
    assert response.status_code == 403
    assert_signed_in_as(alice, "alice")


def test_csrf_token_from_another_browser_is_forbidden(alice: SiteClient, listsurf: Listsurf) -> None:
    stranger_token = listsurf.client().csrf_token("/login")
    response = alice.post("/logout", data={"_csrf": stranger_token})
    assert response.status_code == 403
    assert_signed_in_as(alice, "alice")


# -- throttling -------------------------------------------------------------------------------------


def test_throttled_username_is_refused_even_with_the_right_password(alice: SiteClient,
                                                                    listsurf: Listsurf) -> None:
    expires_at = int(time.time() * 1000) + WINDOW_MS
    listsurf.db().login_failures.insert_one({"_id": "user:alice", "count": REFUSE_AFTER, "expires_at": expires_at})
    browser = listsurf.client()
    response = log_in(browser, "Alice", PASSWORD)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert WINDOW_MS // 1000 - 120 <= retry_after <= WINDOW_MS // 1000
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    assert username_field(response.text) == "Alice"
    assert_signed_out(browser)


def test_failed_logins_are_counted_in_the_database(alice: SiteClient, listsurf: Listsurf) -> None:
    for _ in range(2):
        assert log_in(listsurf.client(), "alice", "wrong-pass-1234").status_code == 401
    failures = listsurf.db().login_failures
    assert failures.find_one({"_id": "user:alice"})["count"] == 2
    addresses = [d for d in failures.find() if d["_id"].startswith("addr:")]
    assert [d["count"] for d in addresses] == [2]
    assert log_in(listsurf.client(), "alice", PASSWORD).status_code == 302
    assert failures.find_one({"_id": "user:alice"}) is None  # success clears the username


# -- API tokens -------------------------------------------------------------------------------------


def create_token(browser: SiteClient, name: str) -> str:
    """Create a token on /tokens; return the key the page shows once."""
    response = browser.post_form("/tokens", {"name": name})
    assert response.status_code == 201, response.text
    keys = NEW_KEY.findall(response.text)
    assert len(keys) == 1
    assert "it is not shown again" in response.text
    return keys[0]


def api_get(listsurf: Listsurf, key: str) -> requests.Response:
    return requests.get(listsurf.url + "/api", headers={"Authorization": f"Token {key}"}, timeout=15)


def test_api_tokens_work_until_revoked(alice: SiteClient, listsurf: Listsurf) -> None:
    phone, laptop = create_token(alice, "phone"), create_token(alice, "laptop")
    assert phone != laptop

    page = fetch(alice, "/tokens")
    assert page.status_code == 200
    assert phone not in page.text and laptop not in page.text  # shown once only
    assert "phone" in page.text and "laptop" in page.text

    for key in (phone, laptop):
        response = api_get(listsurf, key)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"num_items": 0, "items": [], "next": None}

    stored = list(listsurf.db().tokens.find())
    assert {d["_id"] for d in stored} == {ApiToken.hash_key(phone), ApiToken.hash_key(laptop)}
    assert all(d["owner"] == "alice" for d in stored)
    assert phone not in repr(stored) and laptop not in repr(stored)

    response = alice.post_form(f"/tokens/{ApiToken.hash_key(phone)}/revoke", {}, form_path="/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/tokens"
    revoked = api_get(listsurf, phone)
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == 401
    assert api_get(listsurf, laptop).status_code == 200
    assert [d["_id"] for d in listsurf.db().tokens.find()] == [ApiToken.hash_key(laptop)]


def test_revoking_someone_elses_token_fails(alice: SiteClient, listsurf: Listsurf) -> None:
    key = create_token(alice, "phone")
    bob = listsurf.client()
    bob.sign_up("bob", PASSWORD)
    response = bob.post_form(f"/tokens/{ApiToken.hash_key(key)}/revoke", {}, form_path="/tokens")
    assert response.status_code == 404
    assert api_get(listsurf, key).status_code == 200


@pytest.mark.parametrize("authorization", ["Token not-a-real-key", "Token ", "Bearer whatever", ""])
def test_api_without_a_valid_token_is_401(alice: SiteClient, listsurf: Listsurf, authorization: str) -> None:
    response = requests.get(listsurf.url + "/api", headers={"Authorization": authorization}, timeout=15)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


# -- database outage --------------------------------------------------------------------------------


def test_unreachable_database_gives_503_and_the_process_stays_up(site: Callable[..., Endpoint],
                                                                tmp_path: Path,
                                                                capfd: pytest.CaptureFixture[str]) -> None:
    endpoint = site("listsurf", data_dir=tmp_path / "outage-data",
                    env={"MONGODB_URL": f"mongodb://127.0.0.1:{free_port()}/suite_test"})
    browser = SiteClient(endpoint.url)
    assert fetch(browser, "/login").status_code == 200  # a page that needs no database still works

    response = log_in(browser, "alice", PASSWORD)  # the throttle reads the database
    assert response.status_code == 503
    assert response.headers.get("Retry-After") == "30"
    assert "The service is temporarily unavailable. Please try again in a moment." in response.text
    assert "Traceback" not in response.text and "pymongo" not in response.text
    assert endpoint.processes[0].poll() is None

    logged = capfd.readouterr().err
    assert "Database unreachable, indexes not created yet" in logged
    assert "Service unavailable for POST /login" in logged
    assert "Traceback" not in logged
