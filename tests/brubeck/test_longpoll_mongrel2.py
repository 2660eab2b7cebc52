"""Long-polling behind a real Mongrel2 (demos/longpoll.py), under gevent; release and
disconnect under eventlet too.

Requests are held on raw sockets so that hundreds can wait at once; the
demo's ``/waiting`` says how many the app holds.
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support.raw_http import port_of, read_response, send_request
from tests.support.servers import both_libraries
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration
TIMEOUT = 10
WAITERS = 200


def waiting(url: str) -> int:
    response = requests.get(url + "/waiting", timeout=TIMEOUT)
    assert response.status_code == 200, (response.status_code, response.headers, response.text[:300])
    return response.json()["waiting"]


def hold_polls(url: str, count: int) -> list[socket.socket]:
    """Open ``count`` connections to /poll and wait until the app holds them all."""
    sockets = [send_request(port_of(url), "/poll") for _ in range(count)]
    wait_until(lambda: waiting(url) == count, what=f"{count} held polls")
    return sockets


def release(url: str, message: str) -> int:
    """POST to the demo's release route; returns how many waiters it answered."""
    response = requests.post(url + "/release", data={"message": message}, timeout=TIMEOUT)
    assert response.status_code == 200
    return response.json()["released"]


@pytest.fixture
def longpoll_url(serve) -> str:
    return serve("demos.longpoll", env={"LONGPOLL_TIMEOUT": "60"}, fresh=True).url


@both_libraries
def test_one_release_answers_every_held_poll(longpoll_url):
    sockets = hold_polls(longpoll_url, WAITERS)

    assert release(longpoll_url, "tick-42") == WAITERS  # one call

    with ThreadPoolExecutor(max_workers=32) as pool:
        answers = list(pool.map(read_response, sockets))
    assert len(answers) == WAITERS
    for status, headers, body in answers:
        assert status == 200
        assert headers["content-type"] == "text/plain; charset=utf-8"
        assert body == b"tick-42"
    assert waiting(longpoll_url) == 0
    assert release(longpoll_url, "nobody") == 0


@both_libraries
def test_a_client_that_disconnects_while_held_is_forgotten(longpoll_url):
    gone, *staying = hold_polls(longpoll_url, 3)
    gone.close()
    wait_until(lambda: waiting(longpoll_url) == 2, what="Mongrel2's disconnect notice")

    assert release(longpoll_url, "still here") == 2
    for status, _, body in map(read_response, staying):
        assert (status, body) == (200, b"still here")

    # the app keeps serving: a new poll is held and released as before
    [again] = hold_polls(longpoll_url, 1)
    assert release(longpoll_url, "again") == 1
    assert read_response(again)[::2] == (200, b"again")


def test_held_poll_gets_204_after_its_timeout(serve):
    url = serve("demos.longpoll", env={"LONGPOLL_TIMEOUT": "1"}, fresh=True).url
    started = time.monotonic()
    response = requests.get(url + "/poll", timeout=TIMEOUT)
    elapsed = time.monotonic() - started
    assert response.status_code == 204
    assert response.content == b""
    assert 0.9 <= elapsed < 5
    assert waiting(url) == 0
