"""Readify's API end to end: ``python -m readify.api`` (twice), ``python -m readify.web`` and ``python -m
listsurf`` as separate processes behind one Mongrel2 loaded from conf/mongrel2.conf, reading one database.

One walk per promise: an account made on Readify's pages gets a key by ``POST /tokens``; the key works on
Readify's API and on Listsurf's ``/api`` (and a key made on Listsurf works here); what the API saves the
pages show; the API's errors are JSON through Mongrel2, its ``next`` on the configured address, its host
matched exactly.  Every case is in tests/readify/test_api.py, in process.
"""

from __future__ import annotations

import configparser
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from conf import bringup
from conf.settings import deployment
from tests.readify.live import ReaderClient
from tests.support.pages import NEW_KEY, PASSWORD, with_token
from tests.support.running_suite import RunningSuite, running_suite
from tests.support.sites import present

pytestmark = pytest.mark.integration
LISTSURF = present("listsurf")
"""Listsurf, the other site the accounts and keys work on, runs beside Readify when it is in this tree."""
MODULES = ["readify.web", "readify.api", "readify.api", *(["listsurf"] if LISTSURF else [])]  # two API processes


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSuite]:
    with running_suite(tmp_path_factory.mktemp("readify-api"), MODULES) as running:
        yield running


def reader(suite: RunningSuite, username: str) -> ReaderClient:
    """A browser with a new account made on Readify's pages."""
    browser = ReaderClient(f"http://{suite.host('readify.web')}")
    assert browser.sign_up(username, PASSWORD).headers["Location"] == "/"
    return browser


def api_key(suite: RunningSuite, username: str) -> str:
    made = suite.client("readify.api").post("/tokens", json={"username": username, "password": PASSWORD})
    assert (made.status_code, made.headers["Content-Type"]) == (201, "application/json"), made.text
    return str(made.json()["token"])


def test_each_site_runs_in_a_process_of_its_own(suite):
    assert len({process.pid for _, process in suite.processes}) == len(MODULES) + 1  # and the landing page
    assert all(process.poll() is None for _, process in suite.processes)
    index = suite.client("readify.api").get("/")
    assert index.json()["links"] == f"http://{suite.host('readify.api')}/links"
    assert "<h1>Log in</h1>" in suite.client("readify.web").get("/login").text


def test_a_key_from_post_tokens_works_on_readifys_api_and_listsurfs(suite):
    alice = reader(suite, "alice")
    key = api_key(suite, "alice")
    api = suite.client("readify.api")
    api.headers.update(with_token(key))
    assert api.get("/me").json()["username"] == "alice"

    saved = api.post("/links", json={"url": "https://example.com/from-the-api", "title": "From the API", "tags": ["x"]})
    assert saved.status_code == 201
    assert saved.headers["Location"] == f"http://{suite.host('readify.api')}/links/{saved.json()['id']}"
    assert alice.ids_on("/") == [saved.json()["id"]]  # the pages' process reads what the API's wrote
    alice.act(saved.json()["id"], "like")
    assert api.get(f"/links/{saved.json()['id']}").json()["liked"] is True

    if not LISTSURF:
        pytest.skip("the rest is about Listsurf, which is not in this tree")
    listsurf = suite.client("listsurf")
    on_listsurf = listsurf.get("/api", headers=with_token(key))
    assert (on_listsurf.status_code, on_listsurf.json()["items"]) == (200, [])  # the key works; Listsurf's own links
    assert listsurf.log_in("alice", PASSWORD).status_code == 302  # and so does the account
    made_there = listsurf.post_form("/tokens", {"name": "from Listsurf"})
    listsurf_key = NEW_KEY.search(made_there.text).group(1)
    assert suite.client("readify.api").get("/me", headers=with_token(listsurf_key)).json()["username"] == "alice"


def test_the_apis_answers_through_mongrel2_are_json_and_its_next_is_the_configured_address(suite):
    reader(suite, "bob")
    api = suite.client("readify.api")
    anonymous = api.get("/links")
    assert (anonymous.status_code, anonymous.headers["Content-Type"]) == (401, "application/json")
    assert anonymous.headers["WWW-Authenticate"] == 'Token realm="api"' and "Location" not in anonymous.headers
    api.headers.update(with_token(api_key(suite, "bob")))
    for i in range(3):
        assert api.post("/links", json={"url": f"https://example.com/bob/{i}"}).status_code == 201
    first = api.get("/links?limit=2")  # (another Host header never reaches the API: see the last tests)
    next_url = first.json()["next"]
    assert next_url.startswith(f"http://{suite.host('readify.api')}/links?limit=2&cursor=")
    assert len(api.get(next_url).json()["items"]) == 1
    for response, status in [
        (api.get("/links?limit=0"), 400),
        (api.get("/links?limit=%D9%A3"), 400),
        (api.post("/links", data={"url": "https://example.com/"}), 415),
        (api.get("/nothing"), 404),
        (api.get("/links/" + "0" * 24), 404),
        (api.request("PUT", "/links", json={}), 405),
    ]:
        assert (response.status_code, response.headers["Content-Type"]) == (status, "application/json")
        assert response.json()["error"]["code"] == status
    openapi = api.get("/openapi.json").json()
    assert openapi["servers"] == [{"url": f"http://{suite.host('readify.api')}"}]


def test_a_link_is_changed_found_retagged_and_deleted_through_mongrel2_and_the_pages_follow(suite):
    carol = reader(suite, "carol")
    api = suite.client("readify.api")
    api.headers.update(with_token(api_key(suite, "carol")))
    link = api.post("/links", json={"url": "https://example.com/walk", "tags": ["py"], "private": True}).json()
    since = link["updated_at"]
    assert api.patch(f"/links/{link['id']}", json={"archived": True, "title": "Walk"}).json()["archived"] is True
    assert carol.ids_on("/archived") == [link["id"]] and carol.ids_on("/") == []
    profile = carol.get("/carol")
    assert profile.status_code == 200 and "Walk" not in profile.text  # private: not on the public profile
    assert api.patch(f"/links/{link['id']}", json={"private": False}).status_code == 200
    assert "Walk" in carol.get("/carol").text
    found = api.get("/links/check", params={"url": "https://example.com/walk"}).json()
    assert found["saved"] and found["link"]["title"] == "Walk"
    assert api.patch("/tags/py", json={"name": "python"}).json() == {"name": "python", "changed": 1}
    assert api.get("/tags").json() == {"items": [{"name": "python", "count": 1}]}
    assert api.delete("/tags/python").status_code == 204 and api.get("/tags").json() == {"items": []}
    assert api.delete(f"/links/{link['id']}").status_code == 204
    assert carol.ids_on("/trash") == [link["id"]]  # restorable on the pages
    [tombstone] = api.get(f"/links?since={since}").json()["items"]
    assert tombstone == {"id": link["id"], "deleted": True, "updated_at": tombstone["updated_at"]}


def test_the_api_host_is_matched_exactly(suite):
    for lookalike in (f"xapi.readify.localhost:{suite.port}", f"evil.api.readify.localhost:{suite.port}"):
        answer = requests.get(f"http://127.0.0.1:{suite.port}/links", headers={"Host": lookalike}, timeout=5)
        assert answer.status_code == 404 and "application/json" not in answer.headers.get("Content-Type", "")


def test_either_api_process_serves_and_the_pages_keep_answering_while_both_are_down(suite):
    first, second = suite.of("readify.api")
    api = suite.client("readify.api")
    first.send_signal(signal.SIGTERM)
    assert first.wait(15) == 0  # drained and stopped
    time.sleep(0.2)  # for ZeroMQ to see its connection closed (a request sent in that moment would be lost)
    for _ in range(10):  # Mongrel2 sends them all to the other one
        assert api.get("/", timeout=5).status_code == 200
    second.send_signal(signal.SIGTERM)
    assert second.wait(15) == 0
    assert "<h1>Log in</h1>" in suite.client("readify.web").get("/login").text
    if LISTSURF:
        assert suite.client("listsurf").get("/login").status_code == 200


def test_the_api_is_a_program_of_the_suite_that_runs_several_processes(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("SUITE_PROCESSES", "readify-api=2")
    config = configparser.RawConfigParser()
    where = deployment()
    config.read_string(bringup.supervisor_config(where))
    program = config["program:readify-api"]
    assert program["numprocs"] == "2" and program["command"].endswith("-m readify.api")
    send, _ = where.ports("readify-api")
    rendered = bringup.mongrel2_config(where)
    assert f"tcp://{where.mongrel2_bind}:{send}" in rendered
    assert "matching=\"$api.readify.localhost\", routes={'/': readify_api}" in rendered
