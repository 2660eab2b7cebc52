"""demos.autoapi behind a real Mongrel2: the curl sequence of its docstring, one request at a time.

Runs under gevent; the curl sequence under eventlet too.
"""

from __future__ import annotations

import pytest
import requests

from tests.support.servers import both_libraries

pytestmark = pytest.mark.integration
TIMEOUT = 10
JSON = {"content-type": "application/json"}
FIRST, SECOND = "111b4bb7-55f5-441b-ba25-c7a4fd99442c", "222b4bb7-55f5-441b-ba25-c7a4fd994421"
THIRD, FOURTH = "333b4bb7-55f5-441b-ba25-c7a4fd99442c", "444b4bb7-55f5-441b-ba25-c7a4fd994421"
NOT_A_UUID = "b4bb7-55f5-441b-ba25-c7a4fd994421"


def todo(item_id, text, order):
    return {"id": item_id, "text": text, "order": order, "completed": False}


def texts(url):
    response = requests.get(url + "/todo/", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["next"] is None
    return [item["text"] for item in body["data"]]


def post(url, path, body):
    return requests.post(url + path, data=body, headers=JSON, timeout=TIMEOUT)


@both_libraries
def test_the_demo_curl_sequence(serve):
    url = serve("demos.autoapi", fresh=True).url  # its todos are kept in the process
    assert texts(url) == []

    created = post(url, f"/todo/{FIRST}/", f'{{"id": "{FIRST}", "text": "Watch more bsg", "order": 1}}')
    assert (created.status_code, created.json()) == (201, {"data": todo(FIRST, "Watch more bsg", 1)})
    created = post(url, f"/todo/{SECOND}/", f'{{"id": "{SECOND}", "text": "Watch Blade Runner", "order": 2}}')
    assert (created.status_code, created.json()) == (201, {"data": todo(SECOND, "Watch Blade Runner", 2)})
    assert texts(url) == ["Watch more bsg", "Watch Blade Runner"]

    one = requests.get(f"{url}/todo/{SECOND}/", timeout=TIMEOUT)
    assert (one.status_code, one.json()) == (200, {"data": todo(SECOND, "Watch Blade Runner", 2)})

    deleted = requests.delete(f"{url}/todo/{SECOND}/", headers=JSON, timeout=TIMEOUT)
    assert (deleted.status_code, deleted.json()) == (200, {"data": todo(SECOND, "Watch Blade Runner", 2)})
    assert texts(url) == ["Watch more bsg"]

    batch = post(
        url,
        "/todo/",
        f'[{{"id": "{THIRD}", "text": "Write more Brubeck code", "order": 3}},'
        f'{{"id": "{FOURTH}", "text": "Drink coffee", "order": 4}}]',
    )
    assert batch.status_code == 201
    assert batch.json() == {
        "data": [todo(THIRD, "Write more Brubeck code", 3), todo(FOURTH, "Drink coffee", 4)],
        "statuses": [{"id": THIRD, "status": 201}, {"id": FOURTH, "status": 201}],
    }
    assert texts(url) == ["Watch more bsg", "Write more Brubeck code", "Drink coffee"]

    refused = post(url, f"/todo/{SECOND}/", f'{{"id": "{NOT_A_UUID}", "text": "Watch Blade Runner", "order": 2}}')
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "The id in the body does not match the URL."
    refused = post(url, f"/todo/{NOT_A_UUID}/", f'{{"id": "{NOT_A_UUID}", "text": "Watch Blade Runner", "order": 2}}')
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == f"Not a valid todo id: '{NOT_A_UUID}'."
    assert texts(url) == ["Watch more bsg", "Write more Brubeck code", "Drink coffee"]


def test_the_page_lists_the_todos_escaped_and_the_api_is_described(serve):
    url = serve("demos.autoapi", fresh=True).url  # its todos are kept in the process
    empty = requests.get(url + "/", timeout=TIMEOUT)
    assert empty.status_code == 200
    assert "Nothing to do." in empty.text

    assert post(url, "/todo/", '{"text": "<script>alert(1)</script> & coffee"}').status_code == 201
    page = requests.get(url + "/", timeout=TIMEOUT)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "<li>&lt;script&gt;alert(1)&lt;/script&gt; &amp; coffee</li>" in page.text
    assert "<script>" not in page.text

    described = requests.get(url + "/openapi.json", timeout=TIMEOUT)
    assert described.status_code == 200
    assert set(described.json()["paths"]) == {"/todo/", "/todo/{ids}/"}
