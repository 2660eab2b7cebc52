"""What an attacker tried against the accounts and the forms (issue "Hardening", items 1, 7, 8, 9, 11).

In this process through TestClient (tests/support/inprocess.py's fixtures), and the concurrent guessing also end to end.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import gevent
import pytest

from listsurf.store import links as listsurf_links
from shared.store import Store
from shared.throttle import PAIR_LIMIT
from shared.web import SiteApp
from tests.listsurf.live import Surfer
from tests.listsurf.pages import Browser
from tests.support.pages import PASSWORD, field_error, set_cookies
from tests.support.servers import Endpoint

WRONG = "wrong-pass-1234"


# -- 1. the throttle under concurrency -----------------------------------------------------------------------


def test_forty_guesses_at_once_check_at_most_the_limit(alice: Browser, browser: Callable[..., Browser]) -> None:
    guessers = [browser(remote_addr="203.0.113.5") for _ in range(40)]
    tokens = [guesser.csrf_token("/login") for guesser in guessers]  # every form ready before any is sent
    posts = [
        gevent.spawn(g.post, "/login", data={"username": "alice", "password": WRONG, "_csrf": t})
        for g, t in zip(guessers, tokens, strict=True)
    ]
    gevent.joinall(posts, raise_error=True)
    statuses = sorted(post.value.status for post in posts)
    assert statuses.count(401) == PAIR_LIMIT  # checked: at most the limit
    assert statuses.count(429) == 40 - PAIR_LIMIT  # the rest refused before their password was checked
    late = browser(remote_addr="203.0.113.5").log_in("alice", PASSWORD)  # even the right one, from there
    assert late.status == 429


def test_forty_guesses_at_once_through_mongrel2(listsurf: Endpoint) -> None:
    Surfer(listsurf.url).sign_up("alice")
    guessers = [Surfer(listsurf.url) for _ in range(40)]
    tokens = [guesser.csrf_token("/login") for guesser in guessers]

    def guess(pair: tuple[Surfer, str]) -> int:
        guesser, token = pair
        return guesser.post("/login", data={"username": "alice", "password": WRONG, "_csrf": token}).status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        statuses = list(pool.map(guess, zip(guessers, tokens, strict=True)))
    assert statuses.count(401) <= PAIR_LIMIT
    assert statuses.count(401) + statuses.count(429) == 40
    assert Surfer(listsurf.url).log_in("alice", PASSWORD).status_code == 429


# -- 8. no lock-out by someone else's guesses ---------------------------------------------------------------


def test_an_attackers_guesses_do_not_lock_the_owner_out(alice: Browser, browser: Callable[..., Browser]) -> None:
    attacker = browser(remote_addr="203.0.113.5")
    for _ in range(PAIR_LIMIT + 3):
        attacker.log_in("alice", WRONG)
    assert attacker.log_in("alice", PASSWORD).status == 429
    owner = browser(remote_addr="198.51.100.20")
    response = owner.log_in("alice", PASSWORD)
    assert response.status == 302
    owner.assert_signed_in_as("alice")


# -- 7. login CSRF with an Authorization header --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/create"])
def test_an_authorization_header_does_not_skip_the_csrf_token(alice: Browser, visitor: Browser, path: str) -> None:
    visitor.get("/login")  # has the CSRF cookie, sends no token
    response = visitor.post(
        path, data={"username": "alice", "password": PASSWORD}, headers={"Authorization": "Basic YWxpY2U6eA=="}
    )
    assert response.status == 403
    assert "session" not in set_cookies(response)


def test_a_valid_api_key_does_not_skip_the_csrf_token_on_a_form_page(alice: Browser, visitor: Browser) -> None:
    key = alice.new_token("laptop")
    visitor.get("/login")
    response = visitor.post(
        "/login", data={"username": "alice", "password": PASSWORD}, headers={"Authorization": f"Token {key}"}
    )
    assert response.status == 403
    assert "session" not in set_cookies(response)


# -- 9. secrets are not cached ------------------------------------------------------------------------------


def test_the_page_showing_a_new_key_is_not_cached(alice: Browser) -> None:
    response = alice.post_form("/tokens", {"name": "laptop"})
    assert response.status == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


# -- 11. small ones --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["٣", "３", "𝟑", "3.0", "+3"])
def test_numbers_are_ascii_digits_only(alice: Browser, limit: str) -> None:
    response = alice.get("/api", params={"limit": limit})
    assert response.status == 400
    assert "limit" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    "url",
    [
        'http://"><svg/onload=alert(1)>/',
        "http://exa mple.com/",
        "http://-bad-.example/",
        "http://a..b/",
        "http://" + "a" * 64 + ".example/",
    ],
)
def test_a_url_whose_host_is_not_a_host_name_is_refused(alice: Browser, store: Store, url: str) -> None:
    response = alice.add(url, "x")
    assert response.status == 400
    assert field_error(response.text, "url")
    assert listsurf_links(store).count("alice") == 0


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8080/a", "http://[::1]/b", "https://bücher.example/c", "https://my_host.example/d"]
)
def test_ip_literals_and_international_names_are_hosts(alice: Browser, store: Store, url: str) -> None:
    assert alice.add(url, "ok").status == 303
    assert listsurf_links(store).count("alice") == 1


def test_an_account_keeps_at_most_its_limit_of_links(
    alice: Browser, app: SiteApp, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "config", replace(app.config, links_per_account=3))
    for n in range(3):
        assert alice.add(f"https://example.com/{n}").status == 303
    refused = alice.add("https://example.com/one-too-many")
    assert refused.status == 403
    assert "Your list is full: an account keeps at most 3 links." in field_error(refused.text, "url")
    assert alice.add("https://example.com/0", "saved again").status == 303  # an update is not a new link
    assert listsurf_links(store).count("alice") == 3


def test_one_address_makes_a_limited_number_of_accounts_an_hour(
    browser: Callable[..., Browser], app: SiteApp, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(app, "config", replace(app.config, accounts_per_address_per_hour=2))
    for name in ("ann", "bea"):
        assert browser(remote_addr="203.0.113.9").sign_up(name).status == 302
    refused = browser(remote_addr="203.0.113.9").post_form("/create", {"username": "cat", "password": PASSWORD})
    assert refused.status == 429
    assert 3000 <= int(refused.headers["Retry-After"]) <= 3600
    assert "Too many accounts were made from your address. Try again in an hour." in refused.text
    assert browser(remote_addr="198.51.100.3").sign_up("cat").status == 302  # another address is not held back
    assert store.users.count() == 3
