"""SpotiChat in headless Chromium, behind Mongrel2 and on Redis: two users in one room (two browser
contexts) see each other's messages within a second, as text.

Screenshots of the home page and the room (desktop and a 390px-wide phone) go to tests/artifacts/.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.spotichat.live import SpotiChat, random_track
from tests.support.chromium import ARTIFACTS, PHONE, open_page
from tests.support.pages import PASSWORD, XSS

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass


TRACK = random_track()  # a room no other test of the session uses
WITHIN_A_SECOND_MS = 1000


@pytest.fixture
def spotichat_url(mongrel2, tmp_path, redis_url) -> str:
    endpoint, _ = SpotiChat(mongrel2, tmp_path / "spotichat-data", redis_url).start()
    return f"http://spotichat.localhost:{endpoint.port}"


def sign_up(page: Page, username: str) -> None:
    page.goto("/create")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Chat with people playing the same song")).to_be_visible()


def say(page: Page, text: str) -> None:
    page.get_by_label("Message").fill(text)
    page.get_by_role("button", name="Send").click()


def watch(page: Page) -> list[str]:
    """Record the page's JavaScript errors, dialogs and CSP violations."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"error: {error}"))
    page.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    return problems


def test_two_listeners_chat_in_one_room(chromium, spotichat_url):
    alice, bob = open_page(chromium, spotichat_url), open_page(chromium, spotichat_url)
    problems = watch(alice) + watch(bob)
    sign_up(alice, "alice")
    alice.get_by_label("Spotify track link or URI").fill("https://open.spotify.com/album/nope")
    alice.get_by_role("button", name="Go to its room").click()
    expect(alice.locator("#e-track")).to_contain_text("That is not a Spotify track.")
    alice.get_by_label("Spotify track link or URI").fill(f"https://open.spotify.com/intl-de/track/{TRACK}?si=0f1e")
    alice.get_by_role("button", name="Go to its room").click()
    expect(alice).to_have_url(re.compile(f"/rooms/{TRACK}$"))
    expect(alice.locator(".msg-joined")).to_have_text(re.compile("alice joined"))

    sign_up(bob, "bob")
    bob.goto(f"/rooms/{TRACK}")
    expect(alice.locator(".msg-joined").last).to_have_text(re.compile("bob joined"))
    expect(alice.locator("#listeners li")).to_have_text(["alice", "bob"])

    say(alice, "Is this the live version?")
    started = time.monotonic()
    expect(bob.locator(".msg-message .text").last).to_have_text("Is this the live version?", timeout=WITHIN_A_SECOND_MS)
    assert time.monotonic() - started < 1.0
    expect(bob.locator(".msg-message .author").last).to_have_text("alice")
    expect(alice.get_by_label("Message")).to_have_value("")

    say(bob, "Yes, 1977, and the crowd is great")
    expect(alice.locator(".msg-message .text").last).to_have_text(
        "Yes, 1977, and the crowd is great", timeout=WITHIN_A_SECOND_MS
    )
    expect(alice.locator(".msg-message time").last).to_have_text("just now")

    say(alice, XSS)  # shown as the text it is, and never run
    expect(bob.locator(".msg-message .text").last).to_have_text(XSS, timeout=WITHIN_A_SECOND_MS)
    assert bob.locator("#messages script").count() == 0

    say(bob, "   ")
    expect(bob.locator("#e-text")).to_have_text("Write something first: a message cannot be empty.")

    # Bob's polls fail for a while: his page says so, retries, and then shows what he missed, each once.
    bob.route("**/messages?cursor=*", lambda route: route.abort())
    say(alice, "did you hear that?")  # answers bob's held poll; the next ones fail
    expect(bob.locator("#status")).to_contain_text("Connection lost")
    say(bob, "the solo!")  # posting still works: his own line comes back with the others
    say(alice, "wow")
    bob.unroute("**/messages?cursor=*")
    expect(bob.locator(".msg-message .text").last).to_have_text("wow", timeout=5_000)
    expect(bob.locator("#status")).to_have_text("")
    texts = bob.locator(".msg-message .text").all_inner_texts()
    said = [
        "Is this the live version?",
        "Yes, 1977, and the crowd is great",
        XSS,
        "did you hear that?",
        "the solo!",
        "wow",
    ]
    assert texts == said

    # A reload keeps the conversation, in order, each message once.
    bob.reload()
    assert bob.locator(".msg-message .text").all_inner_texts() == said
    say(alice, "still here?")
    expect(bob.locator(".msg-message .text").last).to_have_text("still here?", timeout=WITHIN_A_SECOND_MS)
    assert bob.locator(".msg-message .text").count() == 7

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    alice.screenshot(path=str(ARTIFACTS / "spotichat-room.png"), full_page=True)
    alice.goto("/")
    ours = alice.locator(".rooms li").filter(has=alice.locator(f'a[href="/rooms/{TRACK}"]'))  # other tests' rooms too
    expect(ours.locator(".listening")).to_have_text("2 listening")
    alice.screenshot(path=str(ARTIFACTS / "spotichat-home.png"), full_page=True)
    bob.set_viewport_size(PHONE)
    bob.reload()
    expect(bob.locator(".msg-message")).to_have_count(7)
    assert bob.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    bob.screenshot(path=str(ARTIFACTS / "spotichat-room-phone.png"), full_page=True)

    alice.get_by_role("link", name="API tokens").click()  # the suite's tokens page, in SpotiChat's clothes
    alice.get_by_label("Name").fill("my script")
    alice.get_by_role("button", name="Create a token").click()
    expect(alice.get_by_role("button", name="Revoke my script")).to_be_visible()
    alice.screenshot(path=str(ARTIFACTS / "spotichat-tokens.png"), full_page=True)

    assert problems == []
    assert alice.elsewhere == [] and bob.elsewhere == []  # type: ignore[attr-defined]
