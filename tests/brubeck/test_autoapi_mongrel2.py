"""AutoAPI over a plain pydantic model behind a real Mongrel2: create, read, list, delete, and a form post."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.integration
TIMEOUT = 10
APP = "tests.support.apps.autoapi_app"
ID = "111b4bb7-55f5-441b-ba25-c7a4fd99442c"


def notes(url):
    response = requests.get(url + "/note/", timeout=TIMEOUT)
    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    return response.json()["data"]


def test_a_plain_pydantic_model_is_created_read_listed_and_deleted(serve):
    url = serve(APP, ready_path="/note/", fresh=True).url  # its notes are kept in the process
    assert notes(url) == []

    created = requests.post(url + "/note/", json={"text": "practise scales", "due": "2026-12-24"}, timeout=TIMEOUT)
    assert created.status_code == 201
    first = created.json()["data"]
    assert first == {"id": first["id"], "text": "practise scales", "due": "2026-12-24"}
    put = requests.put(f"{url}/note/{ID}/", json={"text": "tune the piano"}, timeout=TIMEOUT)
    assert (put.status_code, put.json()) == (201, {"data": {"id": ID, "text": "tune the piano", "due": None}})

    read = requests.get(f"{url}/note/{first['id']}/", timeout=TIMEOUT)
    assert (read.status_code, read.json()) == (200, {"data": first})
    assert [note["text"] for note in notes(url)] == ["practise scales", "tune the piano"]

    deleted = requests.delete(f"{url}/note/{first['id']}/", timeout=TIMEOUT)
    assert (deleted.status_code, deleted.json()) == (200, {"data": first})
    assert requests.get(f"{url}/note/{first['id']}/", timeout=TIMEOUT).status_code == 404
    assert [note["id"] for note in notes(url)] == [ID]

    invalid = requests.post(url + "/note/", json={"text": ""}, timeout=TIMEOUT)
    assert (invalid.status_code, invalid.json()["error"]["message"]) == (400, "The note is not valid.")


def test_a_form_post_with_the_json_in_its_data_field_and_the_csrf_token(serve):
    url = serve(APP, ready_path="/note/", fresh=True).url
    browser = requests.Session()
    token = browser.get(url + "/form", timeout=TIMEOUT).text
    data = json.dumps({"id": ID, "text": "from a form"})
    created = browser.post(url + "/note/", data={"data": data, "_csrf": token}, timeout=TIMEOUT)
    assert (created.status_code, created.json()) == (201, {"data": {"id": ID, "text": "from a form", "due": None}})
    refused = requests.post(url + "/note/", data={"data": data}, timeout=TIMEOUT)  # no token: another site's form
    assert refused.status_code == 403
    not_json = browser.post(url + "/note/", data=data, headers={"Content-Type": "text/plain"}, timeout=TIMEOUT)
    assert (not_json.status_code, not_json.json()["error"]["message"]) == (
        415,
        "Send the body as JSON, with Content-Type: application/json.",
    )
    assert [note["text"] for note in notes(url)] == ["from a form"]
