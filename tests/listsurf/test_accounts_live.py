"""The shared account pages end to end: ``python -m listsurf`` behind a real Mongrel2, each test with its own
embedded database, which the test opens (the ``live_store`` fixture) to check what is stored.

One walk per promise (sign up, log out and in, CSRF refusal, throttling, API tokens, database outage);
every case of each is in tests/shared/test_accounts.py, in process.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from brubeck.testing import free_port
from brubeck.timekeeping import curtime
from shared.models import ApiToken
from shared.throttle import REFUSE_AFTER, WINDOW_MS, LoginThrottle
from tests.listsurf.live import PASSWORD, Surfer
from tests.support.pages import set_cookies
from tests.support.servers import Endpoint

pytestmark = pytest.mark.integration


def test_sign_up_log_out_and_log_in_again(listsurf, live_store):
    browser = Surfer(listsurf.url)
    sent_away = browser.get("/tokens")
    assert (sent_away.status_code, sent_away.headers["Location"]) == (302, "/login?next=/tokens")

    created = browser.sign_up("Alice", email="a@example.com")
    assert created.headers["Location"] == "/"
    session = set_cookies(created)["session"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    browser.assert_signed_in_as("alice")
    assert live_store.users.get("alice").email == "a@example.com"

    assert browser.get("/logout").status_code == 405  # a link cannot log anyone out
    logged_out = browser.log_out()
    assert (logged_out.status_code, logged_out.headers["Location"]) == (302, "/login")
    assert "Max-Age=0" in set_cookies(logged_out)["session"]
    browser.assert_signed_out()

    wrong = browser.log_in("alice", "wrong-pass-1234")
    assert wrong.status_code == 401
    assert "Wrong username or password." in wrong.text
    before = curtime()
    back = browser.log_in("ALICE", PASSWORD, next_url="/tokens")
    assert (back.status_code, back.headers["Location"]) == (302, "/tokens")
    browser.assert_signed_in_as("alice")
    assert live_store.users.get("alice").last_login >= before - 1000


def test_a_form_without_its_csrf_token_is_refused(live_alice, live_store):
    refused = live_alice.post("/tokens", data={"name": "phone"})
    assert refused.status_code == 403
    assert "This request has no CSRF token, so it was refused." in refused.text
    assert live_store.tokens.for_owner("alice") == []


def test_failed_logins_are_counted_in_the_database_then_refused(live_alice, listsurf, live_store):
    visitor = Surfer(listsurf.url)
    for _ in range(2):
        assert visitor.log_in("alice", "wrong-pass-1234").status_code == 401
    elsewhere = LoginThrottle(live_store)  # another process counting attempts from the same client, at the same account
    for _ in range(REFUSE_AFTER - 2):
        assert not elsewhere.attempt("alice", "127.0.0.1").verdict.refused  # Mongrel2's client address

    refused = visitor.log_in("alice", PASSWORD)
    assert refused.status_code == 429
    assert WINDOW_MS // 1000 - 120 <= int(refused.headers["Retry-After"]) <= WINDOW_MS // 1000
    assert "Too many failed attempts. Try again in 15 minutes." in refused.text
    visitor.assert_signed_out()


def test_an_api_token_is_made_used_and_revoked(live_alice, listsurf, live_store):
    key = live_alice.new_token("phone")
    script = requests.Session()  # no cookies, no CSRF token: only the key
    script.headers["Authorization"] = f"Token {key}"
    response = script.get(listsurf.url + "/api", timeout=15)
    assert response.status_code == 200
    assert response.json() == {"num_items": 0, "items": [], "next": None}
    assert [token.id for token in live_store.tokens.for_owner("alice")] == [ApiToken.hash_key(key)]

    revoked = live_alice.post_form(f"/tokens/{ApiToken.hash_key(key)}/revoke", {}, form_url="/tokens")
    assert (revoked.status_code, revoked.headers["Location"]) == (302, "/tokens")
    refused = script.get(listsurf.url + "/api", timeout=15)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == 401


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
    assert "MongoDB unreachable, indexes not created yet" in logged
    assert "Service unavailable for POST /login" in logged
    assert "Traceback" not in logged
