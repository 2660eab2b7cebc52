"""SpotiChat while its Redis restarts: waiting clients get an error or an empty answer, the handler process
keeps running, and once Redis is back posting and waiting carry on with no restart and no acknowledged
message lost (Redis keeps an append-only file, as the suite's own does)."""

from __future__ import annotations

import time

import pytest

from tests.spotichat.live import SpotiChat, json_of, open_poll, random_track, signed_up
from tests.support.raw_http import read_response

pytestmark = pytest.mark.integration


def until(attempt, what: str, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    """Call ``attempt()`` until it returns something; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = attempt()
        if result is not None:
            return result
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def test_a_redis_restart_while_clients_wait(mongrel2, tmp_path, redis_server):
    chat = SpotiChat(mongrel2, tmp_path / "spotichat-data", redis_server.url)
    endpoint, _ = chat.start(CHAT_POLL_TIMEOUT="2")
    [process] = endpoint.processes
    track = random_track()
    ann, bob = signed_up(endpoint, "ann"), signed_up(endpoint, "bob")
    ann.poll(track=track)
    before = ann.say("said before the restart", track=track)
    assert before.status_code == 201
    cursor = bob.poll(track=track).json()["cursor"]
    held = open_poll(endpoint, bob, track, cursor)
    time.sleep(0.3)

    redis_server.stop()
    status, _, body = read_response(held)  # an empty answer at its timeout, or a 503
    assert (status == 200 and b'"messages":[]' in body) or status == 503, (status, body)
    refused = ann.say("said while Redis is down", track=track)
    assert refused.status_code == 503
    assert "unavailable" in refused.json()["error"]["message"]
    assert refused.headers["Retry-After"]
    assert bob.poll(cursor, track=track).status_code == 503
    assert process.poll() is None  # the handler process keeps running

    redis_server.start()
    after = until(
        lambda: (r := ann.say("said after the restart", track=track)).status_code == 201 and r or None, "a post"
    )
    page = until(lambda: (r := bob.poll(cursor, track=track)).status_code == 200 and r.json() or None, "a poll")
    assert [m["text"] for m in page["messages"]] == ["said after the restart"]  # nothing after bob's cursor lost
    latest = [m["id"] for m in bob.poll(track=track).json()["messages"]]
    assert before.json()["message"]["id"] in latest and after.json()["message"]["id"] in latest  # kept in the AOF

    def woken() -> list[str] | None:  # a poll held now is woken by a new post: the subscription came back
        held = open_poll(endpoint, bob, track, page["cursor"])
        time.sleep(0.3)
        assert ann.say("and life goes on", track=track).status_code == 201
        answer = read_response(held)
        return [m["text"] for m in json_of(answer)["messages"]] if answer[0] == 200 else None

    assert until(woken, "a woken poll")[0] == "and life goes on"
    assert process.poll() is None
