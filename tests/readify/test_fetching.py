"""Readify asks its page fetcher for titles: in this process without a fetcher (what the pages and the API say),
the replies' route on its own, then end to end through Mongrel2 with the fetcher's hub and process running
(tests/readify/test_fetch.py tests the fetch itself: addresses refused, sizes, time, charsets)."""

from __future__ import annotations

import configparser
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.sync_api import expect

from brubeck.service import ServiceResponse, close_services, handle_reply
from brubeck.testing import free_port
from conf import bringup
from conf.settings import deployment
from readify.app import create_app
from readify.fetcher.service import PAGE_INFO, SERVICE
from readify.links import find_saved
from shared.settings import ServiceAddresses
from shared.store import open_store
from shared.users import find_user
from tests.readify.live import ReaderClient
from tests.readify.page_server import page_server
from tests.readify.pages import Reader
from tests.readify.test_browser import shot
from tests.readify.test_pages import add, stored_links
from tests.support.chromium import open_page
from tests.support.pages import PASSWORD, field_error, input_value
from tests.support.running_suite import FETCHER, RunningSuite, running_suite

OG_TITLE = "The article's own title"  # what tests/readify/page_server.py's /og says of itself
PLAIN_TITLE = "Only a title"
SERVICE_TIMEOUT = 2.0


# -- in this process, with no fetcher --------------------------------------------------------------------


def test_without_a_fetcher_links_save_as_typed_and_there_is_no_refresh(alice, store):
    link_id = add(alice, "https://example.com/a")
    assert stored_links(store).get("alice", link_id).title == ""
    form = alice.get(f"/edit_item/{link_id}?next=/liked")
    assert "/refresh" not in form.text
    refreshed = alice.post_form(f"/items/{link_id}/refresh", {"next": "/liked"}, form_url=f"/edit_item/{link_id}")
    assert refreshed.status == 404
    assert "Fetching titles is not set up on this server." in refreshed.text


def test_the_refresh_button_says_when_the_fetcher_does_not_answer(settings, store, browser):
    hub = ServiceAddresses(f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}", "test")
    app = create_app(replace(settings, services={SERVICE: hub}, service_timeout=0.2), store)
    try:
        reader = Reader(app)
        reader.sign_up("carol")
        link_id = add(reader, "https://example.com/a")
        form = reader.get(f"/edit_item/{link_id}?next=/liked")
        assert f'formaction="/items/{link_id}/refresh"' in form.text
        refused = reader.post_form(f"/items/{link_id}/refresh", {"next": "/liked"}, form_url=f"/edit_item/{link_id}")
        assert refused.status == 504
        message = "The page fetcher did not answer within 0.2 seconds: it may be down. Try again later."
        assert field_error(refused.text, "title") == message
        assert input_value(refused.text, "next") == "/liked"
    finally:
        close_services(app)


def test_the_refresh_button_is_a_post_of_the_owner_with_its_csrf_token(alice, signed_up, store):
    link_id = add(alice, "https://example.com/a")
    assert alice.get(f"/items/{link_id}/refresh").status == 405
    assert alice.post(f"/items/{link_id}/refresh", data={"next": "/"}).status == 403  # no token
    bob = signed_up("bob")
    assert bob.post_form(f"/items/{link_id}/refresh", {}, form_url="/add_item").status == 404


def reply(link_id: str, url: str, title: str | None, status: int = 200, owner: str = "alice") -> ServiceResponse:
    payload = {"url": url, "context": {"owner": owner, "link": link_id}}
    read = {"title": title, "description": f"About {title}", "final_url": url}
    payload.update(read if title is not None else {"error": "gone"})
    return ServiceResponse(PAGE_INFO, "response", status, "Fetched", {}, payload, "caller", "request")


def test_a_reply_gives_a_link_without_a_title_its_pages_and_nothing_else(alice, app, store):
    untitled = add(alice, "https://example.com/a")
    titled = add(alice, "https://example.com/b", "Mine")
    moved = add(alice, "https://example.com/c")
    failed = add(alice, "https://example.com/d")
    handle_reply(app, reply(untitled, "https://example.com/a", "From the page"))
    handle_reply(app, reply(titled, "https://example.com/b", "From the page"))
    handle_reply(app, reply(moved, "https://example.com/old", "From the page"))  # its URL changed meanwhile
    handle_reply(app, reply(failed, "https://example.com/d", None, status=502))
    handle_reply(app, reply(untitled, "https://example.com/a", "Another", owner="bob"))  # not bob's link
    links = stored_links(store)
    assert [links.get("alice", i).title for i in (untitled, titled, moved, failed)] == ["From the page", "Mine", "", ""]
    kept = [links.get("alice", i).description for i in (untitled, titled, moved, failed)]
    assert kept == ["About From the page", "About From the page", "", ""]  # a description where it had none


# -- end to end: Mongrel2, Readify's pages and API, the fetcher's hub and one fetcher process --------------


@dataclass
class Fetching:
    suite: RunningSuite
    pages: str
    """The local web server's base URL, whose pages the fetcher reads."""


@pytest.fixture(scope="module")
def fetching(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fetching]:
    folder = tmp_path_factory.mktemp("fetching")
    modules = [*FETCHER, "readify.web", "readify.api"]
    with page_server() as pages, running_suite(folder, modules, {"SERVICE_TIMEOUT": str(SERVICE_TIMEOUT)}) as suite:
        yield Fetching(suite, pages)


def reader(fetching: Fetching, username: str) -> ReaderClient:
    client = ReaderClient(f"http://{fetching.suite.host('readify.web')}")
    assert client.sign_up(username, PASSWORD).headers["Location"] == "/"
    return client


def api_headers(fetching: Fetching, username: str) -> dict[str, str]:
    api = fetching.suite.client("readify.api")
    key = api.post("/tokens", json={"username": username, "password": PASSWORD}).json()["token"]
    return {"Authorization": f"Token {key}"}


def eventually(read, expected, within: float = 20.0):  # type: ignore[no-untyped-def]
    """What ``read()`` gives once it gives ``expected`` (waiting up to ``within`` seconds), else its last."""
    deadline = time.monotonic() + within
    while (found := read()) != expected and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def stored_title(fetching: Fetching, owner_name: str, url: str) -> str:
    store = open_store(None, fetching.suite.data_dir)
    try:
        user = find_user(store, owner_name)
        link = find_saved(store, user.id, url) if user else None
        return link.title if link else "(none)"
    finally:
        store.close()


@pytest.mark.integration
def test_a_link_saved_without_a_title_shows_its_url_then_its_pages_title(fetching):
    carol = reader(fetching, "carol")
    url = f"{fetching.pages}/slow-title"  # the page answers after a second
    assert carol.add(url).status_code == 303
    dashboard = carol.get("/").text
    assert url in dashboard and PLAIN_TITLE not in dashboard  # meanwhile: its URL
    assert eventually(lambda: PLAIN_TITLE in carol.get("/").text, True)
    typed = f"{fetching.pages}/og?typed"
    assert carol.add(typed, "Typed by me").status_code == 303
    time.sleep(1)
    assert stored_title(fetching, "carol", typed) == "Typed by me"  # a title given is never replaced


@pytest.mark.integration
def test_a_link_saved_through_the_api_without_a_title_gets_its_pages(fetching):
    reader(fetching, "dave")
    headers = api_headers(fetching, "dave")
    api = fetching.suite.client("readify.api")
    made = api.post("/links", json={"url": f"{fetching.pages}/og"}, headers=headers)
    assert made.status_code == 201 and made.json()["title"] == ""
    link = f"/links/{made.json()['id']}"
    assert eventually(lambda: api.get(link, headers=headers).json()["title"], OG_TITLE) == OG_TITLE


@pytest.mark.integration
def test_refresh_waits_for_the_fetcher_on_the_edit_page_and_in_the_api(fetching):
    erin = reader(fetching, "erin")
    assert erin.add(f"{fetching.pages}/og", "Old title").status_code == 303
    link_id = erin.ids_on("/")[0]
    form_url = f"/edit_item/{link_id}?next=/liked"
    done = erin.post_form(f"/items/{link_id}/refresh", {"next": "/liked"}, form_url=form_url)
    assert done.status_code == 303 and done.headers["Location"] == f"/edit_item/{link_id}?next=%2Fliked"
    page = erin.get(done.headers["Location"]).text
    assert input_value(page, "title") == OG_TITLE and input_value(page, "next") == "/liked"

    headers = api_headers(fetching, "erin")
    api = fetching.suite.client("readify.api")
    api.patch(f"/links/{link_id}", json={"title": "Changed again"}, headers=headers)
    refreshed = api.post(f"/links/{link_id}/refresh", headers=headers)
    assert refreshed.status_code == 200 and refreshed.json()["title"] == OG_TITLE
    assert refreshed.json()["description"] == "What it is & why."  # the page's og:description
    assert erin.add(f"{fetching.pages}/missing").status_code == 303
    broken = erin.ids_on("/")[0]
    unread = api.post(f"/links/{broken}/refresh", headers=headers)
    assert unread.status_code == 422
    assert unread.json()["error"]["message"] == "The page could not be read: the site answered 404 Not Found."


@pytest.mark.integration
def test_with_the_fetcher_down_saving_works_and_refresh_says_so_within_the_timeout(fetching):
    frank = reader(fetching, "frank")
    headers = api_headers(fetching, "frank")
    api = fetching.suite.client("readify.api")
    [fetcher] = fetching.suite.of("readify.fetcher")
    fetcher.terminate()
    assert fetcher.wait(10) == 0
    assert frank.add(f"{fetching.pages}/plain").status_code == 303
    link_id = frank.ids_on("/")[0]
    started = time.monotonic()
    refused = frank.post_form(f"/items/{link_id}/refresh", {"next": "/"}, form_url=f"/edit_item/{link_id}")
    assert SERVICE_TIMEOUT <= time.monotonic() - started < SERVICE_TIMEOUT + 3
    assert refused.status_code == 504
    message = "The page fetcher did not answer within 2 seconds: it may be down. Try again later."
    assert field_error(refused.text, "title") == message
    made = api.post("/links", json={"url": f"{fetching.pages}/meta"}, headers=headers)
    assert made.status_code == 201
    timed_out = api.post(f"/links/{made.json()['id']}/refresh", headers=headers)
    assert timed_out.status_code == 504 and timed_out.json()["error"]["message"] == message


# -- the suite's programs ----------------------------------------------------------------------------------


def test_the_fetcher_is_a_program_of_the_suite_that_runs_several_processes_behind_one_hub(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SUITE_PROCESSES", "readify-fetcher=3")
    config = configparser.RawConfigParser()
    config.read_string(bringup.supervisor_config(deployment()))
    fetcher, hub = config["program:readify-fetcher"], config["program:readify-fetcher-hub"]
    assert fetcher["numprocs"] == "3" and fetcher["command"].endswith("-m readify.fetcher")
    assert hub["numprocs"] == "1" and hub["command"].endswith("-m conf.service_hub readify-fetcher")
    programs = list(bringup.procfile(deployment()))
    assert programs.index("readify-fetcher-hub") < programs.index("readify-fetcher") < programs.index("readify")
    monkeypatch.setenv("SUITE_PROCESSES", "readify-fetcher-hub=2")
    with pytest.raises(SystemExit, match="SUITE_PROCESSES"):
        bringup.supervisor_config(deployment())


def test_in_chromium_a_saved_link_gets_its_title_and_the_edit_pages_button_fetches_it_again(chromium, fetching):
    site = f"http://{fetching.suite.host('readify.web')}"
    page = open_page(chromium, site, java_script_enabled=False)  # the pages need none
    page.goto("/create")
    page.get_by_label("Username").fill("grace")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.goto("/add_item")
    url = f"{fetching.pages}/slow-title"
    page.get_by_label("URL").fill(url)
    page.get_by_role("button", name="Save").click()
    expect(page.locator("ol.links a.title")).to_have_text([url])  # meanwhile: the URL
    shot(page, "fetching")
    deadline = time.monotonic() + 20  # the fetcher answers in a second; a busy machine takes longer
    while page.locator("ol.links a.title").all_inner_texts() != [PLAIN_TITLE] and time.monotonic() < deadline:
        time.sleep(0.2)
        page.reload()
    expect(page.locator("ol.links a.title")).to_have_text([PLAIN_TITLE])
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Title (optional)").fill("A title of mine")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Title (optional)")).to_have_value("A title of mine")
    shot(page, "edit")
    page.get_by_role("button", name="Fetch the title from the page").click()
    expect(page.get_by_label("Title (optional)")).to_have_value(PLAIN_TITLE)
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("ol.links a.title")).to_have_text([PLAIN_TITLE])
