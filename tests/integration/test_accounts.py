"""The shared account pages' promises, through Mongrel2: session cookies, logout, CSRF, throttling,
API tokens, stored data, database outage.

Every test runs Listsurf (``python -m listsurf``) behind a fresh Mongrel2 with its own embedded
database, which the test opens (the ``store`` fixture) to check what is stored.  The pages as a
visitor walks them (forms, messages, ``next``) are in test_listsurf_accounts.py.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from brubeck.testing import free_port
from shared.models import ApiToken
from shared.throttle import REFUSE_AFTER, WINDOW_MS
from tests.conftest import Endpoint
from tests.integration.listsurf_support import (
    PASSWORD,
    Surfer,
    assert_signed_in_as,
    assert_signed_out,
    input_value,
    set_cookies,
)

pytestmark = pytest.mark.integration


# -- create account ---------------------------------------------------------------------------------


def test_create_account_signs_in_with_a_safe_session_cookie(listsurf: Endpoint, store: Any) -> None:
    browser = Surfer(listsurf.url)
    response = browser.post_form("/create", {"username": "Alice", "password": PASSWORD, "email": "a@example.com"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    session = set_cookies(response)["session"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert_signed_in_as(browser, "alice")

    stored = store.users.find_one({"_id": "alice"})
    assert stored["username"] == "alice" and stored["email"] == "a@example.com"
    assert stored["password_hash"].startswith("$2") and PASSWORD not in repr(stored)
    assert abs(stored["created_at"] - time.time() * 1000) < 120_000
    assert isinstance(stored["last_login"], int)


def test_taken_username_is_refused_case_insensitively_and_not_overwritten(listsurf: Endpoint, store: Any) -> None:
    Surfer(listsurf.url).sign_up("alice", PASSWORD)
    intruder = Surfer(listsurf.url)
    response = intruder.post_form(
        "/create", {"username": "Alice", "password": "another password", "email": "intruder@example.com"}
    )
    assert response.status_code == 409
    assert "That username is taken. Choose another." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert "session" not in set_cookies(response)
    assert_signed_out(intruder)

    assert store.users.count_documents({}) == 1
    assert store.users.find_one({"_id": "alice"}).get("email") is None
    assert Surfer(listsurf.url).log_in("alice", "another password").status_code == 401
    assert Surfer(listsurf.url).log_in("ALICE", PASSWORD).status_code == 302


# -- login ------------------------------------------------------------------------------------------


def test_wrong_password_says_so_and_keeps_the_username(alice: Surfer, listsurf: Endpoint) -> None:
    browser = Surfer(listsurf.url)
    response = browser.log_in("Alice", "wrong-pass-1234")
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert "wrong-pass-1234" not in response.text
    assert 'type="password" required' in response.text  # the password field is empty
    assert_signed_out(browser)


def test_unknown_username_gets_the_same_answer(alice: Surfer, listsurf: Endpoint) -> None:
    response = Surfer(listsurf.url).log_in("nobody", PASSWORD)
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert input_value(response.text, "username") == "nobody"


def test_login_signs_in_and_records_the_time(alice: Surfer, listsurf: Endpoint, store: Any) -> None:
    before = int(time.time() * 1000)
    browser = Surfer(listsurf.url)
    response = browser.log_in("alice", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "HttpOnly" in set_cookies(response)["session"]
    assert_signed_in_as(browser, "alice")
    assert store.users.find_one({"_id": "alice"})["last_login"] >= before - 1000


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/add_item?u=https%3A%2F%2Fexample.com", "/add_item?u=https%3A%2F%2Fexample.com"),
        ("/tokens", "/tokens"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/path", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(
    alice: Surfer, listsurf: Endpoint, next_url: str, location: str
) -> None:
    response = Surfer(listsurf.url).log_in("alice", PASSWORD, next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == location


# -- logout -----------------------------------------------------------------------------------------


def test_logout_is_a_post_with_a_csrf_token_and_ends_the_session(alice: Surfer) -> None:
    refused = alice.get("/logout")  # a link or an image cannot log anyone out
    assert refused.status_code == 405
    assert "POST" in refused.headers.get("Allow", "")
    assert alice.post("/logout").status_code == 403  # nor can another site's form (no CSRF token)
    assert_signed_in_as(alice, "alice")

    logged_out = alice.post_form("/logout", {}, form_path="/")
    assert logged_out.status_code == 302 and logged_out.headers["Location"] == "/login"
    cleared = set_cookies(logged_out)["session"]
    assert cleared.startswith("session=;") and "Max-Age=0" in cleared
    assert "session" not in alice.cookies
    assert alice.get("/").headers["Location"] == "/login?next=/"
    assert alice.api().status_code == 401


def test_logout_ends_copies_of_the_session_cookie_too(alice: Surfer, listsurf: Endpoint) -> None:
    stolen = Surfer(listsurf.url)
    stolen.cookies.set("session", alice.cookies["session"])
    assert_signed_in_as(stolen, "alice")
    response = alice.post("/logout", data={"_csrf": alice.csrf_token("/")})
    assert response.status_code == 302
    assert_signed_out(stolen)
    assert alice.log_in("alice", PASSWORD).status_code == 302
    assert_signed_in_as(alice, "alice")


# -- session cookie ---------------------------------------------------------------------------------


def tamper(value: str) -> str:
    """``value`` with one character near its end changed.

    Not the last character: in base64 its low bits may be padding, and changing
    only those would leave the signature's bytes as they were.
    """
    position = len(value) - 5
    return value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]


def test_tampered_session_cookie_counts_as_signed_out(alice: Surfer, listsurf: Endpoint) -> None:
    genuine = alice.cookies.get("session")
    assert genuine
    forged = Surfer(listsurf.url)
    forged.cookies.set("session", tamper(genuine))
    assert_signed_out(forged)
    response = forged.get("/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/tokens"


def test_session_cookie_with_another_name_inside_is_refused(alice: Surfer, listsurf: Endpoint) -> None:
    Surfer(listsurf.url).sign_up("bob", PASSWORD)
    payload, _, signature = alice.cookies.get("session").partition(".")
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == {"u": "alice", "e": 0}
    bob_payload = base64.urlsafe_b64encode(b'{"u":"bob","e":0}').decode().rstrip("=")
    forged = Surfer(listsurf.url)
    forged.cookies.set("session", f"{bob_payload}.{signature}")  # alice's signature on bob's name
    assert_signed_out(forged)


def test_unsigned_session_cookie_is_ignored(alice: Surfer, listsurf: Endpoint) -> None:
    forged = Surfer(listsurf.url)
    forged.cookies.set("session", '{"u": "alice", "e": 0}')
    assert_signed_out(forged)


# -- CSRF -------------------------------------------------------------------------------------------

CSRF_MESSAGE = "This form has expired or did not come from this site."
NO_TOKEN_MESSAGE = "This request has no CSRF token, so it was refused. If you wrote this form: put {{ csrf_field() }}"


@pytest.mark.parametrize("path", ["/login", "/create", "/logout"])
def test_post_without_csrf_token_is_forbidden(listsurf: Endpoint, path: str, store: Any) -> None:
    browser = Surfer(listsurf.url)
    browser.csrf_token("/login")  # the browser has a CSRF cookie, but the form does not send the token
    response = browser.post(path, data={"username": "carol", "password": PASSWORD})
    assert response.status_code == 403
    assert NO_TOKEN_MESSAGE in response.text
    assert store.users.count_documents({}) == 0


def test_post_with_a_wrong_csrf_token_is_forbidden(alice: Surfer, listsurf: Endpoint, store: Any) -> None:
    real = alice.csrf_token("/tokens")
    for wrong in (tamper(real), "x" * len(real)):
        response = alice.post("/tokens", data={"name": "phone", "_csrf": wrong})
        assert response.status_code == 403
        assert CSRF_MESSAGE in response.text
    assert store.tokens.count_documents({}) == 0
    response = alice.post("/logout", data={"_csrf": tamper(real)})
    assert response.status_code == 403
    assert_signed_in_as(alice, "alice")


def test_csrf_token_from_another_browser_is_forbidden(alice: Surfer, listsurf: Endpoint) -> None:
    stranger_token = Surfer(listsurf.url).csrf_token("/login")
    response = alice.post("/logout", data={"_csrf": stranger_token})
    assert response.status_code == 403
    assert_signed_in_as(alice, "alice")


# -- throttling -------------------------------------------------------------------------------------


def test_throttled_username_is_refused_even_with_the_right_password(
    alice: Surfer, listsurf: Endpoint, store: Any
) -> None:
    expires_at = int(time.time() * 1000) + WINDOW_MS
    store.login_failures.insert_one({"_id": "user:alice", "count": REFUSE_AFTER, "expires_at": expires_at})
    browser = Surfer(listsurf.url)
    response = browser.log_in("Alice", PASSWORD)
    assert response.status_code == 429
    retry_after = int(response.headers["Retry-After"])
    assert WINDOW_MS // 1000 - 120 <= retry_after <= WINDOW_MS // 1000
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert_signed_out(browser)


def test_failed_logins_are_counted_in_the_database(alice: Surfer, listsurf: Endpoint, store: Any) -> None:
    for _ in range(2):
        assert Surfer(listsurf.url).log_in("alice", "wrong-pass-1234").status_code == 401
    failures = store.login_failures
    assert failures.find_one({"_id": "user:alice"})["count"] == 2
    addresses = [d for d in failures.find() if d["_id"].startswith("addr:")]
    assert [d["count"] for d in addresses] == [2]
    assert Surfer(listsurf.url).log_in("alice", PASSWORD).status_code == 302
    assert failures.find_one({"_id": "user:alice"}) is None  # success clears the username


# -- API tokens -------------------------------------------------------------------------------------


def api_get(listsurf: Endpoint, key: str) -> requests.Response:
    return requests.get(listsurf.url + "/api", headers={"Authorization": f"Token {key}"}, timeout=15)


def test_api_tokens_work_until_revoked(alice: Surfer, listsurf: Endpoint, store: Any) -> None:
    phone, laptop = alice.new_token("phone"), alice.new_token("laptop")
    assert phone != laptop

    page = alice.get("/tokens")
    assert page.status_code == 200
    assert phone not in page.text and laptop not in page.text  # shown once only
    assert "phone" in page.text and "laptop" in page.text

    for key in (phone, laptop):
        response = api_get(listsurf, key)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"num_items": 0, "items": [], "next": None}

    stored = list(store.tokens.find())
    assert {d["_id"] for d in stored} == {ApiToken.hash_key(phone), ApiToken.hash_key(laptop)}
    assert all(d["owner"] == "alice" for d in stored)
    assert phone not in repr(stored) and laptop not in repr(stored)

    response = alice.post_form(f"/tokens/{ApiToken.hash_key(phone)}/revoke", {}, form_path="/tokens")
    assert response.status_code == 302 and response.headers["Location"] == "/tokens"
    revoked = api_get(listsurf, phone)
    assert revoked.status_code == 401
    assert revoked.json()["error"]["code"] == 401
    assert api_get(listsurf, laptop).status_code == 200
    assert [d["_id"] for d in store.tokens.find()] == [ApiToken.hash_key(laptop)]


def test_revoking_someone_elses_token_fails(alice: Surfer, listsurf: Endpoint) -> None:
    key = alice.new_token("phone")
    bob = Surfer(listsurf.url)
    bob.sign_up("bob", PASSWORD)
    response = bob.post_form(f"/tokens/{ApiToken.hash_key(key)}/revoke", {}, form_path="/tokens")
    assert response.status_code == 404
    assert api_get(listsurf, key).status_code == 200


@pytest.mark.parametrize("authorization", ["Token not-a-real-key", "Token ", "Bearer whatever", ""])
def test_api_without_a_valid_token_is_401(alice: Surfer, listsurf: Endpoint, authorization: str) -> None:
    response = requests.get(listsurf.url + "/api", headers={"Authorization": authorization}, timeout=15)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401


# -- database outage --------------------------------------------------------------------------------


def test_unreachable_database_gives_503_and_the_process_stays_up(
    site: Callable[..., Endpoint], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    endpoint = site(
        "listsurf",
        data_dir=tmp_path / "outage-data",
        env={"MONGODB_URL": f"mongodb://127.0.0.1:{free_port()}/suite_test"},
    )
    browser = Surfer(endpoint.url)
    assert browser.get("/login").status_code == 200  # a page that needs no database still works

    response = browser.log_in("alice", PASSWORD)  # the throttle reads the database
    assert response.status_code == 503
    assert response.headers.get("Retry-After") == "30"
    assert "The service is temporarily unavailable. Please try again in a moment." in response.text
    assert "Traceback" not in response.text and "pymongo" not in response.text
    assert endpoint.processes[0].poll() is None

    logged = capfd.readouterr().err
    assert "Database unreachable, indexes not created yet" in logged
    assert "Service unavailable for POST /login" in logged
    assert "Traceback" not in logged
