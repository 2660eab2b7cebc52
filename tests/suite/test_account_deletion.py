"""An account deleted on a site without a chat (Listsurf, Readify) leaves every chat room of every chat site at
once, end to end: the suite's processes behind one Mongrel2, on one database and a real Redis.  Through HTTP,
deleted on Listsurf (SpotiChat's API, no.js's view and Redis itself say so); in Chromium, deleted on Readify
while another listener watches the SpotiChat room.

Screenshots: tests/artifacts/account-deleted-*.png.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
import redis

from brubeck.testing import CSRF_INPUT
from shared.chat.names import CHAT_SITES, Keys
from tests.support.chromium import ARTIFACTS, open_page
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD
from tests.support.running_suite import RunningSuite, running_suite
from tests.support.sites import present

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - depends on the machine
    pass

CHATS = [site for site in ("spotichat", "nojs") if present(site)]
ACCOUNTS = [module for module, site in (("listsurf", "listsurf"), ("readify.web", "readify")) if present(site)]
pytestmark = pytest.mark.skipif(not CHATS or not ACCOUNTS, reason="needs a chat site and a site without one")


def rooms() -> dict[str, str]:
    """A room of the test's own on each chat site (a SpotiChat track id is 22 letters and digits)."""
    return {"spotichat": uuid.uuid4().hex[:22], "nojs": f"room-{uuid.uuid4().hex[:8]}"}


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[RunningSuite]:
    folder = tmp_path_factory.mktemp("account-deletion")
    with running_suite(folder, [*CHATS, *ACCOUNTS], {"REDIS_URL": redis_url}) as running:  # presence: 60 s
        yield running


def name(prefix: str) -> str:
    """A name of the test's own (the tests share a Redis)."""
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def signed_in(suite: RunningSuite, module: str, username: str) -> SiteClient:
    client = suite.client(module)
    assert client.log_in(username).status_code == 302
    return client


def script_token(client: SiteClient, room: str) -> str:
    """The CSRF token SpotiChat's room page gives its script."""
    found = CSRF_INPUT.search(client.get(f"/rooms/{room}").text)
    assert found, "no CSRF token on the room page"
    return found.group(1)


def join(client: SiteClient, site: str, room: str) -> None:
    """Join a room of the site as its page does: SpotiChat's script, no.js's Join button."""
    if site == "spotichat":
        joined = client.post(f"/api/rooms/{room}/join", headers={"X-CSRF-Token": script_token(client, room)})
        assert joined.status_code == 200
    else:
        assert client.post_form(f"/rooms/{room}/join", {}, form_url=f"/rooms/{room}/say").status_code == 303


def present_in(redis_url: str, rooms: dict[str, str], username: str) -> list[str]:
    """The chat sites (namespaces) in whose room of ``rooms`` ``username`` is, as Redis has it."""
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    try:
        return [
            site
            for site in sorted(client.smembers(CHAT_SITES))
            if site in rooms and client.zscore(Keys(site).presence(rooms[site]), username) is not None
        ]
    finally:
        client.close()


def test_deleted_on_listsurf_an_account_leaves_every_chat_room_at_once(suite, redis_url):
    ann, bob, room = name("ann"), name("bob"), rooms()
    deleting = suite.client(ACCOUNTS[0])
    deleting.sign_up(ann)
    suite.client(ACCOUNTS[0]).sign_up(bob)
    anns, bobs = {}, {}
    for site in CHATS:
        anns[site], bobs[site] = signed_in(suite, site, ann), signed_in(suite, site, bob)
        join(anns[site], site, room[site])
        join(bobs[site], site, room[site])
    api = f"/api/rooms/{room['spotichat']}"
    if "spotichat" in CHATS:
        token = script_token(anns["spotichat"], room["spotichat"])
        said = anns["spotichat"].post(f"{api}/messages", json={"text": "Live?"}, headers={"X-CSRF-Token": token})
        assert said.status_code == 201
    assert present_in(redis_url, room, ann) == present_in(redis_url, room, bob) == sorted(CHATS)

    data = {"confirm": ann, "delete_password": PASSWORD}
    gone = deleting.post_form("/account/delete", data, form_url="/account")
    assert (gone.status_code, gone.headers["Location"]) == (303, "/account/deleted")

    assert present_in(redis_url, room, ann) == [] and present_in(redis_url, room, bob) == sorted(CHATS)  # at once
    if "spotichat" in CHATS:
        assert bobs["spotichat"].get(f"{api}/listeners").json()["listeners"] == [bob]
        messages = bobs["spotichat"].get(f"{api}/messages").json()["messages"]
        lines = [(m["type"], m["user"], m["text"]) for m in messages]
        assert lines[-2:] == [("message", ann, "Live?"), ("left", ann, f"{ann} left")]  # what ann said stays
        assert anns["spotichat"].get(f"{api}/listeners").status_code == 401  # signed out everywhere
    if "nojs" in CHATS:
        view = bobs["nojs"].get(f"/rooms/{room['nojs']}/messages").text
        assert f'<span class="who">{ann}</span>' not in view and f"<em>{ann} left</em>" in view


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"account-deleted-{name}.png"), full_page=True)


def sign_up(page: Page, username: str) -> None:
    page.goto("/create")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.skipif("spotichat" not in CHATS or "readify.web" not in ACCOUNTS, reason="needs SpotiChat and Readify")
def test_a_listener_sees_an_account_deleted_on_readify_leave_the_room_at_once(chromium, suite):
    ann, bob = name("ann"), name("bob")
    spotichat, readify = f"http://{suite.host('spotichat')}", f"http://{suite.host('readify.web')}"
    room = f"/rooms/{rooms()['spotichat']}"
    watching = open_page(chromium, spotichat)
    sign_up(watching, bob)
    watching.goto(room)
    anns_room = open_page(chromium, spotichat)
    sign_up(anns_room, ann)
    anns_room.goto(room)
    expect(watching.locator("#listeners li")).to_have_text(sorted([ann, bob]))
    shot(watching, "before")

    account = open_page(chromium, readify)
    log_in(account, ann)
    account.goto("/account")
    account.get_by_label("Type your username to confirm").fill(ann)
    account.locator("#f-delete_password").fill(PASSWORD)
    account.get_by_role("button", name="Delete my account").click()
    expect(account.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    shot(account, "readify")

    expect(watching.locator(".msg-left").last).to_have_text(re.compile(f"{ann} left"))  # not a minute later
    expect(watching.locator("#listeners li")).to_have_text([bob])
    shot(watching, "after")
