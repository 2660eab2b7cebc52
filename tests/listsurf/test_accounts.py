"""The shared account pages on Listsurf, in this process: /create, /login, /logout, /tokens, their forms
and messages, ``next``, session cookies, CSRF, throttling, API tokens and what is stored.

tests/shared/test_accounts_live.py walks the same pages once through Mongrel2.
"""

from __future__ import annotations

import base64
import json
import time
from urllib.parse import quote

import pytest

from brubeck.timekeeping import curtime
from shared.models import ApiToken
from shared.throttle import REFUSE_AFTER, SLOW_AFTER, WINDOW_MS, LoginThrottle
from tests.support.pages import (
    PASSWORD,
    assert_self_contained,
    elements,
    field_error,
    input_value,
    set_cookies,
    with_token,
)

USERNAME_RULE = "Use 2 to 30 characters: letters, digits, dots, dashes or underscores."
CSRF_MESSAGE = "This form has expired or did not come from this site."
NO_TOKEN_MESSAGE = "This request has no CSRF token, so it was refused. If you wrote this form: put {{ csrf_field() }}"


# -- create account ---------------------------------------------------------------------------------


def test_create_account_signs_in_with_a_safe_session_cookie(visitor, store):
    response = visitor.post_form("/create", {"username": "Alice", "password": PASSWORD, "email": "a@example.com"})
    assert (response.status, response.location) == (302, "/")
    session = set_cookies(response)["session"]
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    visitor.assert_signed_in_as("alice")

    stored = store.users.get("alice")
    assert stored.username == "alice" and stored.email == "a@example.com"
    assert stored.password_hash.startswith("$2") and PASSWORD not in repr(stored)
    assert abs(stored.created_at - time.time() * 1000) < 120_000
    assert isinstance(stored.last_login, int)


def test_create_shows_a_form_and_a_post_creates_the_account_and_logs_in(visitor):
    form = visitor.get("/create")
    assert form.status == 200
    assert {input_value(form.text, "username"), input_value(form.text, "next")} == {""}
    assert_self_contained(form.text)

    created = visitor.post_form("/create", {"username": "Alice", "password": PASSWORD})
    assert (created.status, created.location) == (302, "/")
    assert "session" in set_cookies(created)

    home = visitor.get("/")
    assert home.status == 200
    assert "Nothing saved yet" in home.text
    assert '<span class="who">alice</span>' in home.text
    assert visitor.get("/create").location == "/"  # already signed in


def test_create_follows_next_to_a_page_of_this_site_only(browser):
    target = "/add_item?u=https%3A%2F%2Fexample.com%2F"
    assert browser().sign_up("alice", next=target).location == target
    assert browser().sign_up("bob", next="//evil.example/").location == "/"


def test_taken_username_is_refused_case_insensitively_and_not_overwritten(alice, browser, store):
    intruder = browser()
    response = intruder.post_form(
        "/create", {"username": "Alice", "password": "another password", "email": "intruder@example.com"}
    )
    assert response.status == 409
    assert "That username is taken. Choose another." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert "session" not in set_cookies(response)
    intruder.assert_signed_out()

    assert store.users.count() == 1
    assert store.users.get("alice").email is None
    assert browser().log_in("alice", "another password").status == 401
    assert browser().log_in("ALICE").status == 302


@pytest.mark.parametrize(
    ("data", "field", "message", "status"),
    [
        ({"username": "bob", "password": "short"}, "password", "Use at least 8 characters.", 400),
        ({"username": "bob", "password": ""}, "password", "Use at least 8 characters.", 400),
        ({"username": "b", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        ({"username": "bob smith!", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        ({"username": "no spaces please", "password": PASSWORD}, "username", USERNAME_RULE, 400),
        (
            {"username": "bob", "password": PASSWORD, "email": "not-an-email"},
            "email",
            "That does not look like an email address.",
            400,
        ),
        ({"username": "Taken", "password": PASSWORD}, "username", "That username is taken. Choose another.", 409),
    ],
)
def test_create_refuses_bad_input_next_to_the_field(signed_up, visitor, store, data, field, message, status):
    signed_up("taken")
    refused = visitor.post_form("/create", data)
    assert refused.status == status
    assert field_error(refused.text, field) == message
    assert input_value(refused.text, "username") == data["username"]  # what was typed stays
    if data["password"]:
        assert data["password"] not in refused.text
    assert "session" not in set_cookies(refused)
    visitor.assert_signed_out()
    assert store.users.count() == 1  # only "taken"


# -- login ------------------------------------------------------------------------------------------


def test_wrong_password_says_so_and_keeps_the_username(alice, visitor):
    response = visitor.log_in("Alice", "wrong-pass-1234")
    assert response.status == 401
    assert "Wrong username or password." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert "wrong-pass-1234" not in response.text
    assert 'type="password" required' in response.text  # the password field is empty
    assert "session" not in set_cookies(response)
    visitor.assert_signed_out()


def test_unknown_username_gets_the_same_answer(alice, visitor):
    response = visitor.log_in("nobody")
    assert response.status == 401
    assert "Wrong username or password." in response.text
    assert input_value(response.text, "username") == "nobody"


def test_login_signs_in_and_records_the_time(alice, visitor, store):
    before = curtime()
    response = visitor.log_in("alice")
    assert (response.status, response.location) == (302, "/")
    assert "HttpOnly" in set_cookies(response)["session"]
    visitor.assert_signed_in_as("alice")
    assert store.users.get("alice").last_login >= before - 1000


def test_login_form_keeps_next_and_takes_the_username_in_any_case(alice, visitor):
    form = visitor.get("/login?next=/add_item")
    assert form.status == 200
    assert input_value(form.text, "next") == "/add_item"
    assert_self_contained(form.text)

    target = "/add_item?u=https%3A%2F%2Fexample.com%2F&t=Example"
    right = visitor.log_in("ALICE", next_url=target)
    assert (right.status, right.location) == (302, target)
    assert visitor.get(target).status == 200


@pytest.mark.parametrize(
    ("next_url", "location"),
    [
        ("/add_item?u=https%3A%2F%2Fexample.com", "/add_item?u=https%3A%2F%2Fexample.com"),
        ("/tokens", "/tokens"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("https://evil.example/", "/"),
        ("https://evil.example/path", "/"),
        ("/\\evil.example", "/"),
    ],
)
def test_login_follows_next_only_within_the_site(alice, visitor, next_url, location):
    response = visitor.log_in("alice", next_url=next_url)
    assert (response.status, response.location) == (302, location)


@pytest.mark.parametrize("path", ["/", "/add_item?u=https%3A%2F%2Fexample.com%2F&t=A%20title", "/tokens"])
def test_pages_need_a_login_and_come_back_after_it(alice, visitor, path):
    sent_away = visitor.get(path)
    assert (sent_away.status, sent_away.location) == (302, "/login?next=" + quote(path, safe="/"))

    login_page = visitor.get(sent_away.location)
    assert {"type": "hidden", "name": "next", "value": path} in elements(login_page.text, "input")
    assert visitor.log_in("alice", next_url=path).location == path


def test_posts_without_a_login_save_and_delete_nothing(alice, visitor):
    assert alice.add("https://example.com/kept").status == 303
    [kept] = alice.stored()

    assert visitor.post_form("/add_item", {"url": "https://example.com/new"}, form_url="/login").location == "/login"
    assert visitor.post_form(f"/delete_item/{kept['id']}", {}, form_url="/login").location == "/login"
    assert alice.stored() == [kept]


# -- logout -----------------------------------------------------------------------------------------


def test_logout_is_a_post_with_a_csrf_token_and_ends_the_session(alice):
    refused = alice.get("/logout")  # a link or an image cannot log anyone out
    assert refused.status == 405
    assert "POST" in refused.headers.get("Allow", "")
    assert alice.post("/logout").status == 403  # nor can another site's form (no CSRF token)
    alice.assert_signed_in_as("alice")

    logged_out = alice.log_out()
    assert (logged_out.status, logged_out.location) == (302, "/login")
    cleared = set_cookies(logged_out)["session"]
    assert cleared.startswith("session=;") and "Max-Age=0" in cleared
    assert "session" not in alice.cookies
    assert alice.get("/").location == "/login?next=/"
    assert alice.api().status == 401


def test_logout_ends_copies_of_the_session_cookie_too(alice, browser):
    stolen = browser()
    stolen.cookies["session"] = alice.cookies["session"]
    stolen.assert_signed_in_as("alice")
    assert alice.post("/logout", data={"_csrf": alice.csrf_token("/")}).status == 302
    stolen.assert_signed_out()
    assert alice.log_in("alice").status == 302
    alice.assert_signed_in_as("alice")


# -- session cookie ---------------------------------------------------------------------------------


def tamper(value: str) -> str:
    """``value`` with one character near its end changed.

    Not the last character: in base64 its low bits may be padding, and changing
    only those would leave the signature's bytes as they were.
    """
    position = len(value) - 5
    return value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]


def test_tampered_session_cookie_counts_as_signed_out(alice, visitor):
    visitor.cookies["session"] = tamper(alice.cookies["session"])
    visitor.assert_signed_out()
    response = visitor.get("/tokens")
    assert (response.status, response.location) == (302, "/login?next=/tokens")


def test_session_cookie_with_another_name_inside_is_refused(alice, signed_up, visitor):
    signed_up("bob")
    payload, _, signature = alice.cookies["session"].partition(".")
    assert json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))) == {"u": "alice", "e": 0}
    bob_payload = base64.urlsafe_b64encode(b'{"u":"bob","e":0}').decode().rstrip("=")
    visitor.cookies["session"] = f"{bob_payload}.{signature}"  # alice's signature on bob's name
    visitor.assert_signed_out()


def test_unsigned_session_cookie_is_ignored(alice, visitor):
    visitor.cookies["session"] = '{"u": "alice", "e": 0}'
    visitor.assert_signed_out()


# -- CSRF -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/create", "/logout"])
def test_post_without_csrf_token_is_forbidden(visitor, store, path):
    visitor.csrf_token("/login")  # the browser has a CSRF cookie, but the form does not send the token
    response = visitor.post(path, data={"username": "carol", "password": PASSWORD})
    assert response.status == 403
    assert NO_TOKEN_MESSAGE in response.text
    assert store.users.count() == 0


def test_post_with_a_wrong_csrf_token_is_forbidden(alice, store):
    real = alice.csrf_token("/tokens")
    for wrong in (tamper(real), "x" * len(real)):
        response = alice.post("/tokens", data={"name": "phone", "_csrf": wrong})
        assert response.status == 403
        assert CSRF_MESSAGE in response.text
    assert store.tokens.for_owner("alice") == []
    assert alice.post("/logout", data={"_csrf": tamper(real)}).status == 403
    alice.assert_signed_in_as("alice")


def test_csrf_token_from_another_browser_is_forbidden(alice, visitor):
    response = alice.post("/logout", data={"_csrf": visitor.csrf_token("/login")})
    assert response.status == 403
    alice.assert_signed_in_as("alice")


# -- throttling -------------------------------------------------------------------------------------


@pytest.fixture
def delays(monkeypatch):
    """The pause before each login attempt's password check (not slept here)."""
    waited: list[float] = []
    monkeypatch.setattr(LoginThrottle, "wait", lambda self, verdict: waited.append(verdict.delay))
    return waited


def guess(browser, times: int) -> None:
    """``times`` wrong passwords for alice."""
    for _ in range(times):
        assert browser.log_in("alice", "wrong-pass-1234").status == 401


def test_wrong_passwords_are_slowed_then_even_the_right_one_is_refused(alice, visitor, delays):
    guess(visitor, REFUSE_AFTER)
    assert delays == [0.0] * SLOW_AFTER + [0.25 * 2**n for n in range(REFUSE_AFTER - SLOW_AFTER)]
    response = visitor.log_in("Alice")
    assert response.status == 429
    retry_after = int(response.headers["Retry-After"])
    assert WINDOW_MS // 1000 - 120 <= retry_after <= WINDOW_MS // 1000
    assert "Too many failed attempts. Try again in 15 minutes." in response.text
    assert input_value(response.text, "username") == "Alice"
    assert len(delays) == REFUSE_AFTER  # a refused attempt checks no password
    visitor.assert_signed_out()


def test_the_owner_gets_in_from_another_address_while_the_guesser_is_refused(alice, browser, delays):
    guesser = browser(remote_addr="198.51.100.7")
    guess(guesser, REFUSE_AFTER)
    assert guesser.log_in("alice").status == 429
    assert browser(remote_addr="203.0.113.9").log_in("alice").status == 302


def test_a_success_clears_the_attempts_of_its_address(alice, visitor, delays):
    guess(visitor, REFUSE_AFTER - 1)
    assert visitor.log_in("alice").status == 302
    visitor.log_out()
    guess(visitor, REFUSE_AFTER)  # as many as a fresh address gets
    assert visitor.log_in("alice").status == 429


# -- API tokens -------------------------------------------------------------------------------------


def test_tokens_page_issues_a_key_shown_once(alice):
    page = alice.get("/tokens")
    assert page.status == 200
    assert "No tokens yet." in page.text
    assert_self_contained(page.text)

    key = alice.new_token("phone")
    listed = alice.get("/tokens").text
    assert "<strong>phone</strong>" in listed
    assert f"<code>{key[:6]}…</code>" in listed
    assert key not in listed


def test_a_token_needs_a_name_of_at_most_80_characters(alice, store):
    refused = alice.post_form("/tokens", {"name": "x" * 81})
    assert refused.status == 400
    assert field_error(refused.text, "name")
    assert store.tokens.for_owner("alice") == []


def test_api_tokens_work_until_revoked(alice, visitor, store):
    phone, laptop = alice.new_token("phone"), alice.new_token("laptop")
    assert phone != laptop

    page = alice.get("/tokens")
    assert page.status == 200
    assert phone not in page.text and laptop not in page.text  # shown once only
    assert "phone" in page.text and "laptop" in page.text

    for key in (phone, laptop):
        response = visitor.get("/api", headers=with_token(key))
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("application/json")
        assert response.json() == {"num_items": 0, "items": [], "next": None}

    stored = store.tokens.for_owner("alice")
    assert {token.id for token in stored} == {ApiToken.hash_key(phone), ApiToken.hash_key(laptop)}
    assert all(token.owner == "alice" for token in stored)
    assert phone not in repr(stored) and laptop not in repr(stored)

    response = alice.post_form(f"/tokens/{ApiToken.hash_key(phone)}/revoke", {}, form_url="/tokens")
    assert (response.status, response.location) == (302, "/tokens")
    revoked = visitor.get("/api", headers=with_token(phone))
    assert revoked.status == 401
    assert revoked.json()["error"]["code"] == 401
    assert visitor.get("/api", headers=with_token(laptop)).status == 200
    assert [token.id for token in store.tokens.for_owner("alice")] == [ApiToken.hash_key(laptop)]


def test_revoking_someone_elses_token_fails(alice, signed_up, visitor):
    key = alice.new_token("phone")
    response = signed_up("bob").post_form(f"/tokens/{ApiToken.hash_key(key)}/revoke", {}, form_url="/tokens")
    assert response.status == 404
    assert visitor.get("/api", headers=with_token(key)).status == 200


@pytest.mark.parametrize("authorization", ["Token not-a-real-key", "Token ", "Bearer whatever", ""])
def test_api_without_a_valid_token_is_401(alice, visitor, authorization):
    response = visitor.get("/api", headers={"Authorization": authorization})
    assert response.status == 401
    assert response.json()["error"]["code"] == 401


@pytest.mark.parametrize("username", ["settings", "Tags", "add_item", "api", "feed", "static"])
def test_names_of_pages_cannot_be_taken(visitor, store, username):
    refused = visitor.post_form("/create", {"username": username, "password": PASSWORD})
    assert refused.status == 400
    assert field_error(refused.text, "username") == "That name is kept for a page of the site. Choose another."
    assert store.users.count() == 0
