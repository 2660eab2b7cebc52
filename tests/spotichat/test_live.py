"""SpotiChat's long-poll chat through a real Mongrel2 and a real Redis.

Ordering and no loss across reconnects; a wake-up across two handler processes; 200 and 1,000 waiters released
by one post in bulk replies (read off the ZeroMQ wire by a tap), none left waiting; disconnects; the timeout; the rate
limit; presence appearing and expiring; HTML kept as text.  Redis restarts are in
test_spotichat_redis_restart.py.
"""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest
from redis import Redis

from tests.spotichat.live import Chatter, SpotiChat, json_of, open_poll, random_track, signed_up
from tests.support.pages import XSS, XSS_ESCAPED
from tests.support.raw_http import read_response
from tests.support.servers import Endpoint, both_libraries
from tests.support.waiting import wait_until_idle
from tests.support.zmq_tap import Reply, Tap

pytestmark = pytest.mark.integration
WAITERS = 200
MANY_WAITERS = 1000


def scripts_run(redis: Redis) -> int:
    """How many Lua scripts Redis has run (a poll reads its room with one)."""
    return int(redis.info("commandstats").get("cmdstat_evalsha", {}).get("calls", 0))


@pytest.fixture
def spotichat(mongrel2, tmp_path, redis_url) -> SpotiChat:
    return SpotiChat(mongrel2, tmp_path / "spotichat-data", redis_url)


def test_messages_arrive_in_order_with_none_lost_or_repeated_across_reconnects(spotichat):
    endpoint, _ = spotichat.start()
    track = random_track()
    reader = signed_up(endpoint, "reader")
    writers = [signed_up(endpoint, f"writer{i}") for i in range(4)]
    cursor = reader.poll(track=track).json()["cursor"]
    posted: list[str] = []

    def write() -> None:
        for round_ in range(4):
            for i, writer in enumerate(writers):
                response = writer.say(f"round {round_} from {i}", track=track)
                assert response.status_code == 201, response.text
                posted.append(response.json()["message"]["id"])

    received: list[str] = []
    with ThreadPoolExecutor(1) as pool:
        writing = pool.submit(write)
        polls = 0
        while len(received) < 16 and polls < 200:
            polls += 1
            if polls % 3 == 0:  # a poll abandoned mid-wait: the client reconnects with the same cursor
                open_poll(endpoint, reader, track, cursor).close()
            reader.close()  # and every poll on a new connection
            page = reader.poll(cursor, track=track).json()
            assert page["reset"] is False
            received += [m["id"] for m in page["messages"] if m["type"] == "message"]
            cursor = page["cursor"]
        writing.result()
    assert received == posted  # the order they were acknowledged in; none lost, none twice
    assert len(set(received)) == 16


@both_libraries
def test_a_post_through_one_process_wakes_a_poll_held_by_another(spotichat, concurrency):
    first, _ = spotichat.start(CHAT_POLL_TIMEOUT="20", BRUBECK_CONCURRENCY=concurrency)  # gevent, then eventlet
    second, _ = spotichat.start(CHAT_POLL_TIMEOUT="20")  # its own Mongrel2 and process; the same Redis and store
    track = random_track()
    ann = signed_up(first, "ann")
    cursor = ann.poll(track=track).json()["cursor"]
    held = open_poll(first, ann, track, cursor)
    bob = signed_up(second, "bob")
    time.sleep(0.3)  # ann's poll is held by the first process by now
    started = time.monotonic()
    assert bob.say("hello from the other process", track=track).status_code == 201
    page = json_of(read_response(held))
    assert time.monotonic() - started < 3  # woken, not timed out (20 s)
    assert [m["text"] for m in page["messages"]] == ["hello from the other process"]


@dataclass
class Held:
    """Polls held by a SpotiChat process behind a tap: their sockets, and what it takes to release them."""

    endpoint: Endpoint
    tap: Tap
    ann: Chatter
    track: str
    sockets: list[socket.socket]
    answered: int  # replies the tap had seen before these polls

    def answers(self, text: str) -> list[Reply]:
        """The replies since the polls were held whose page carries ``text``."""
        found = self.tap.replies_with(text.encode(), since=self.answered)
        return [reply for reply in found if b'"messages"' in reply.payload]


def hold_polls(spotichat: SpotiChat, count: int) -> Held:
    """``count`` of ann's polls, all with one cursor, held (each has read the room once in Redis)."""
    bounds = {"CHAT_HELD_PER_ACCOUNT": str(count), "CHAT_HELD_PER_ADDRESS": str(max(count, 200))}
    endpoint, tap = spotichat.start(tap=True, CHAT_POLL_TIMEOUT="60", **bounds)
    track = random_track()
    ann = signed_up(endpoint, "ann")
    cursor = ann.poll(track=track).json()["cursor"]
    redis = Redis.from_url(spotichat.redis_url)
    answered, reads = len(tap.replies), scripts_run(redis)
    sockets = [open_poll(endpoint, ann, track, cursor) for _ in range(count)]
    tap.wait_for(lambda: scripts_run(redis) - reads >= count, timeout=10 + count / 50)
    wait_until_idle(endpoint.processes[-1].pid)  # from their read to their hold (long on a busy machine)
    assert redis.pubsub_numsub("spotichat:wake") == [(b"spotichat:wake", 1)]  # one subscription for them all
    redis.close()
    held = Held(endpoint, tap, ann, track, sockets, answered)
    assert held.answers("") == []  # none answered yet
    return held


@pytest.mark.parametrize("count", [WAITERS, MANY_WAITERS])
def test_one_post_releases_every_held_poll_in_bulk_replies_and_leaves_none_waiting(spotichat, count):
    held = hold_polls(spotichat, count)
    bob = signed_up(held.endpoint, "bob")
    assert bob.say("one for all", track=held.track).status_code == 201
    with ThreadPoolExecutor(32) as pool:
        pages = list(pool.map(lambda sock: json_of(read_response(sock)), held.sockets))
    assert all([m["text"] for m in page["messages"]] == ["one for all"] for page in pages)
    replies = held.answers("one for all")
    sizes = sorted((len(reply.conn_ids) for reply in replies), reverse=True)
    full, rest = divmod(count, 128)
    assert sizes == [128] * full + [rest] * bool(rest)  # one response, in replies of at most 128 connections each
    named = [conn_id for reply in replies for conn_id in reply.conn_ids]
    assert len(set(named)) == len(named) == count  # each connection answered once
    assert bob.say("is anyone still waiting?", track=held.track).status_code == 201
    time.sleep(0.5)  # a poll still held would be answered by now
    assert held.answers("is anyone still waiting?") == []


def test_a_client_that_disconnects_is_dropped_at_once(spotichat):
    held = hold_polls(spotichat, 3)
    gone, *staying = held.sockets
    before = held.tap.disconnects()
    gone.close()
    held.tap.wait_for(lambda: held.tap.disconnects() > before)  # Mongrel2 told the handler
    time.sleep(0.2)
    assert held.ann.say("who is still here?", track=held.track).status_code == 201
    for sock in staying:
        assert [m["text"] for m in json_of(read_response(sock))["messages"]] == ["who is still here?"]
    [reply] = held.answers("who is still here?")
    assert len(reply.conn_ids) == 2  # the closed connection was no longer held


def test_a_held_poll_is_answered_after_the_timeout_with_no_messages_and_the_same_cursor(spotichat):
    endpoint, _ = spotichat.start(CHAT_POLL_TIMEOUT="1")
    track = random_track()
    ann = signed_up(endpoint, "ann")
    cursor = ann.poll(track=track).json()["cursor"]
    started = time.monotonic()
    response = ann.poll(cursor, track=track)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {"messages": [], "cursor": cursor, "reset": False}
    assert 0.9 <= elapsed < 5


def test_the_rate_limit_through_mongrel2(spotichat):
    endpoint, _ = spotichat.start()
    track = random_track()
    rita = signed_up(endpoint, "rita")  # a name no other test posts with (the limit is per user, in Redis)
    for i in range(5):
        assert rita.say(f"message {i}", track=track).status_code == 201
    refused = rita.say("too many", track=track)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10
    assert "too fast" in refused.json()["error"]["message"]


def test_presence_appears_with_a_join_and_expires_with_a_left_line(spotichat):
    endpoint, _ = spotichat.start(CHAT_PRESENCE_TTL="3", CHAT_POLL_TIMEOUT="1")
    track = random_track()
    ann, bob = signed_up(endpoint, "ann"), signed_up(endpoint, "bob")
    assert bob.join(track=track).status_code == 200
    cursor = bob.poll(track=track).json()["cursor"]
    assert ann.join(track=track).status_code == 200
    assert bob.listeners(track) == ["ann", "bob"]
    rooms = bob.get("/api/rooms").json()["rooms"]
    assert {"track": track, "listeners": 2} in rooms
    lines: list[tuple[str, str]] = []
    deadline = time.monotonic() + 10
    while ("left", "ann") not in lines and time.monotonic() < deadline:  # bob keeps polling; ann has stopped
        page = bob.poll(cursor, track=track).json()
        lines += [(m["type"], m["user"]) for m in page["messages"]]
        cursor = page["cursor"]
    assert lines == [("joined", "ann"), ("left", "ann")]
    assert bob.listeners(track) == ["bob"]


def test_html_in_a_message_stays_text_everywhere(spotichat):
    endpoint, _ = spotichat.start()
    track = random_track()
    ann = signed_up(endpoint, "ann")
    said = ann.say(XSS, track=track)
    assert said.status_code == 201
    assert said.headers["Content-Type"] == "application/json"
    assert said.headers["X-Content-Type-Options"] == "nosniff"
    polled = ann.poll(track=track)
    assert [m["text"] for m in polled.json()["messages"]] == [XSS]  # the text as written...
    assert polled.headers["Content-Type"] == "application/json"  # ...never as a page
    page = ann.get(f"/rooms/{track}").text
    assert XSS not in page and XSS_ESCAPED in page
    script = ann.get("/static/room.js").text
    assert "innerHTML" not in script and "textContent" in script


def test_an_account_holds_at_most_its_bound_of_polls_then_gets_429(spotichat):
    endpoint, _ = spotichat.start(CHAT_HELD_PER_ACCOUNT="3", CHAT_POLL_TIMEOUT="20")
    track = random_track()
    ann, bob = signed_up(endpoint, "ann"), signed_up(endpoint, "bob")
    cursor = ann.poll(track=track).json()["cursor"]
    held = [open_poll(endpoint, ann, track, cursor) for _ in range(3)]
    time.sleep(0.3)  # all three held by now
    refused = ann.poll(cursor, track=track)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"
    assert "Too many polls are waiting for this account (3)" in refused.json()["error"]["message"]
    other = open_poll(endpoint, bob, track, cursor)  # another account is not refused
    held.pop().close()  # a tab closed: Mongrel2 tells the handler, the poll no longer counts
    deadline = time.monotonic() + 5
    again_sock = None
    while time.monotonic() < deadline:
        again_sock = open_poll(endpoint, ann, track, cursor)
        time.sleep(0.2)
        again_sock.settimeout(0.2)
        try:
            if again_sock.recv(1):  # answered at once: still refused
                again_sock.close()
                again_sock = None
                continue
        except TimeoutError:
            break  # held
    assert again_sock is not None, "a new poll was still refused after one closed"
    assert ann.say("all of you", track=track).status_code == 201
    for sock in [*held, other, again_sock]:
        assert [m["text"] for m in json_of(read_response(sock))["messages"]] == ["all of you"]
