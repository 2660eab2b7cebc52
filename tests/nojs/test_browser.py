"""no.js in headless Chromium with JavaScript disabled, behind Mongrel2 and on Redis: two people chat, each
sees the other's message within two seconds, and a page never has more than one waiting request (the
messages view) while its form posts.

Screenshots of the rooms and of a room (desktop and a 390px-wide phone) go to tests/artifacts/.
"""

from __future__ import annotations

import time
from typing import Any

from tests.support.chromium import ARTIFACTS, PHONE, open_page
from tests.support.pages import PASSWORD

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass

WITHIN_TWO_SECONDS_MS = 2000


def sign_up(page: Page, username: str) -> None:
    page.goto("/create")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Rooms", exact=True)).to_be_visible()


def enter(page: Page, room: str) -> None:
    """Open the room's frames (a frameset's "load" waits for its views, which wait for news: it is not awaited)."""
    page.goto(f"/rooms/{room}", wait_until="domcontentloaded")
    expect(page.frame_locator('frame[name="say"]').get_by_label(f"Message to #{room}")).to_be_visible()


def say(page: Page, room: str, text: str) -> None:
    form = page.frame_locator('frame[name="say"]')
    form.get_by_label(f"Message to #{room}").fill(text)
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        form.get_by_role("button", name="Send").click()
    assert posted.value.status == 303


def messages(page: Page) -> Any:
    return page.frame_locator('frame[name="messages"]').locator("li.said")


class Waits:
    """The messages views a page has asked for and not yet had answered, at each moment."""

    def __init__(self, page: Page) -> None:
        self.pending: set[Any] = set()
        self.most = 0
        self.answered = 0
        page.on("request", self.started)
        page.on("requestfinished", self.ended)
        page.on("requestfailed", self.ended)

    def started(self, request: Any) -> None:
        if "/messages?cursor=" in request.url:
            self.pending.add(request)
            self.most = max(self.most, len(self.pending))

    def ended(self, request: Any) -> None:
        if request in self.pending:
            self.pending.discard(request)
            self.answered += 1


def test_two_people_chat_with_javascript_off(chromium, nojs, room):
    url = f"http://nojs.localhost:{nojs.port}"
    alice = open_page(chromium, url, java_script_enabled=False)
    bob = open_page(chromium, url, java_script_enabled=False, viewport=PHONE)
    waits = {"alice": Waits(alice), "bob": Waits(bob)}

    sign_up(alice, "alice")
    alice.get_by_label("Open a room by name").fill(room.upper())
    alice.get_by_role("button", name="Open").click(no_wait_after=True)
    expect(alice).to_have_url(f"{url}/rooms/{room}")
    enter(alice, room)
    sign_up(bob, "bob")
    enter(bob, room)
    bob.wait_for_timeout(500)  # each view is held by now

    say(alice, room, "Hello from a browser that runs no script")
    started = time.monotonic()
    expect(messages(bob).last).to_contain_text(
        "Hello from a browser that runs no script", timeout=WITHIN_TWO_SECONDS_MS
    )
    assert time.monotonic() - started < 2.0
    expect(messages(bob).last.locator("strong")).to_have_text("alice")

    say(bob, room, "Hello back <b>alice</b>")
    started = time.monotonic()
    expect(messages(alice).last).to_contain_text("Hello back <b>alice</b>", timeout=WITHIN_TWO_SECONDS_MS)
    assert time.monotonic() - started < 2.0
    form = bob.frame_locator('frame[name="say"]')
    expect(form.get_by_label(f"Message to #{room}")).to_have_value("")  # the form came back, empty

    alice.wait_for_timeout(300)
    for name, seen in waits.items():
        assert seen.answered >= 1, f"{name}'s view was never answered"
        assert seen.most == 1, f"{name}'s page had {seen.most} views waiting at once"
    assert alice.elsewhere == [] and bob.elsewhere == []  # nothing fetched from anywhere else

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    alice.screenshot(path=ARTIFACTS / "nojs-room.png")
    bob.screenshot(path=ARTIFACTS / "nojs-room-phone.png")
    alice.goto("/")
    expect(alice.locator("ul.rooms")).to_contain_text(f"#{room} (2 here)")
    alice.screenshot(path=ARTIFACTS / "nojs-rooms.png")
