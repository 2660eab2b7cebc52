"""Brubeck services through real ZeroMQ sockets: service processes, and a caller app in this process
(or behind a real Mongrel2, where the caller's other requests matter)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from brubeck import concurrency
from brubeck.handlers import JSONMessageHandler
from brubeck.request_handling import Brubeck
from brubeck.service import (
    ServiceClientMixin,
    ServiceMessageHandler,
    ServiceTimeout,
    close_services,
)
from brubeck.testing import TestClient, free_port

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
PASSPHRASE = "test passphrase"


class Addresses:
    """A service's two addresses; and where its callers meet it: the same, or a hub's other two."""

    def __init__(self) -> None:
        self.addr = f"tcp://127.0.0.1:{free_port()}"
        self.response_addr = f"tcp://127.0.0.1:{free_port()}"
        self.callers_addr, self.replies_addr = self.addr, self.response_addr
        self.hub = False

    def through_hub(self) -> list[str]:
        """Have callers meet the service through a hub; the hub's command."""
        self.callers_addr = f"tcp://127.0.0.1:{free_port()}"
        self.replies_addr = f"tcp://127.0.0.1:{free_port()}"
        self.hub = True
        return ["-m", "brubeck.service_hub", self.callers_addr, self.replies_addr, self.addr, self.response_addr]


@pytest.fixture
def addresses() -> Addresses:
    return Addresses()


@pytest.fixture
def start_service(addresses: Addresses, tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Factory: ``start_service(passphrase=PASSPHRASE)`` starts an echo service process; returns its log file."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(passphrase: str = PASSPHRASE) -> Path:
        log_file = tmp_path / f"service-{len(processes)}.log"
        env = dict(
            os.environ,
            PYTHONPATH=str(ROOT),
            SERVICE_ADDR=addresses.addr,
            SERVICE_RESPONSE_ADDR=addresses.response_addr,
            SERVICE_PASSPHRASE=passphrase,
        )
        with log_file.open("wb") as out:
            processes.append(
                subprocess.Popen([sys.executable, "-m", "tests.support.apps.echo_service"], env=env, stderr=out)
            )
        return log_file

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait(10)


class Replies(ServiceMessageHandler):
    """The caller's route for replies sent without waiting: keeps them on the app."""

    def response(self):
        self.application.replies.append((self.status_code, self.message.body))
        return self.render()


class Caller(ServiceClientMixin, JSONMessageHandler):
    def get(self, path):
        addr = self.application.addresses
        self.register_service(addr.callers_addr, addr.replies_addr, self.application.passphrase, hub=addr.hub)
        request = self.create_service_request(
            "/" + path, "request", {"text": self.get_argument("text", ""), "delay": self.get_argument("delay", "0")}
        )
        if self.get_argument("nowait"):
            self.add_to_payload("sent", self.send_service_request_nowait(addr.callers_addr, request))
            return self.render()
        timeout = self.get_argument("timeout")
        if self.get_argument("catch"):
            try:
                self.send_service_request(addr.callers_addr, request, timeout=float(timeout or 1))
            except ServiceTimeout as error:
                self.add_to_payload("caught", error.message)
            return self.render()
        response, _ = self.send_service_request(addr.callers_addr, request, timeout=float(timeout) if timeout else None)
        self.add_to_payload("status", [response.status_code, response.status_msg])
        self.add_to_payload("body", response.body)
        return self.render()


def caller_app(addresses: Addresses) -> Brubeck:
    """A caller: ``/call/<path>`` calls the service's ``/<path>``; its replies route keeps what it gets."""
    app = Brubeck(handler_tuples=[(r"^/(?:echo|slow)$", Replies), (r"^/call/(\w+)$", Caller)], service_timeout=10)
    app.addresses = addresses
    app.passphrase = PASSPHRASE
    app.replies = []
    return app


@pytest.fixture
def caller(addresses: Addresses) -> Iterator[TestClient]:
    app = caller_app(addresses)
    yield TestClient(app)
    close_services(app)


def test_a_synchronous_call_gets_the_services_reply(start_service, caller):
    start_service()
    page = caller.get("/call/echo", params={"text": "hello"})
    assert page.status == 200
    assert page.json()["status"] == [200, "Echoed"]
    assert page.json()["body"]["echo"] == "hello"


def test_an_asynchronous_calls_reply_reaches_the_callers_response_route(start_service, caller):
    start_service()
    caller.get("/call/echo", params={"text": "warm up"})  # the service is connected
    assert caller.app.replies == [(200, {"echo": "warm up", "pid": caller.app.replies[0][1]["pid"]})]  # handled too
    caller.app.replies.clear()
    started = time.monotonic()
    page = caller.get("/call/slow", params={"text": "later", "delay": "0.5", "nowait": "1"})
    assert page.json() == {"sent": True}
    assert time.monotonic() - started < 0.4  # not waiting for the service
    deadline = time.monotonic() + 5
    while not caller.app.replies and time.monotonic() < deadline:
        concurrency.sleep(0.05)
    [(status, body)] = caller.app.replies
    assert status == 200
    assert body["echo"] == "later"


def test_a_request_with_a_wrong_passphrase_is_refused_and_logged(start_service, caller):
    log_file = start_service(passphrase="another passphrase")
    page = caller.get("/call/echo", params={"text": "let me in", "timeout": "4"})  # time to connect, under load
    assert page.status == 504
    deadline = time.monotonic() + 10
    while "wrong passphrase" not in log_file.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Refused a service request with a wrong passphrase" in log_file.read_text()
    assert "let me in" not in log_file.read_text()


def test_no_service_times_out_with_504_or_an_exception_the_handler_catches(caller):
    started = time.monotonic()
    page = caller.get("/call/echo", params={"timeout": "0.5"})
    assert 0.5 <= time.monotonic() - started < 2
    assert page.status == 504
    assert "did not answer within 0.5 seconds" in page.text
    caught = caller.get("/call/echo", params={"timeout": "0.3", "catch": "1"})
    assert caught.status == 200
    assert "did not answer within 0.3 seconds" in caught.json()["caught"]


def test_two_service_processes_share_the_load(start_service, caller):
    start_service()
    start_service()
    answered, deadline = set(), time.monotonic() + 20  # a process takes seconds to start on a busy machine
    while len(answered) < 2 and time.monotonic() < deadline:  # once both are connected, calls alternate
        answered.add(caller.get("/call/echo").json()["body"]["pid"])
    assert len(answered) == 2, "the second service process never answered"
    pids = set()
    started = time.monotonic()
    greenlets = [
        concurrency.spawn(lambda: pids.add(caller.get("/call/slow", params={"delay": "0.5"}).json()["body"]["pid"]))
        for _ in range(4)
    ]
    for greenlet in greenlets:
        greenlet.join()
    assert len(pids) == 2
    assert time.monotonic() - started < 1.9  # four half-second calls, not one after the other


def test_a_late_reply_is_dropped_and_never_reaches_another_request(start_service, caller, caplog):
    start_service()
    caller.get("/call/echo")
    late = caller.get("/call/slow", params={"text": "too late", "delay": "1", "timeout": "0.3"})
    assert late.status == 504
    with caplog.at_level(logging.WARNING, logger="brubeck.service"):
        page = caller.get("/call/slow", params={"text": "mine", "delay": "1.2"})
    assert page.json()["body"]["echo"] == "mine"
    assert "Dropped a late or unknown reply" in caplog.text
    assert [body["echo"] for _, body in caller.app.replies] == ["", "mine"]  # never "too late"


# -- through a hub: several callers share the service processes ------------------------------------------


@pytest.fixture
def hub(addresses: Addresses, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A service hub process between the callers and the service processes."""
    log_path = tmp_path / "hub.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            [sys.executable, *addresses.through_hub()],
            cwd=ROOT,
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
            stderr=log_file,
        )
    deadline = time.monotonic() + 15
    while "Service hub: callers at" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield process
    process.terminate()
    process.wait(10)


def test_callers_through_a_hub_each_get_their_own_replies(hub, start_service, addresses):
    start_service()
    start_service()
    apps = [caller_app(addresses) for _ in range(3)]  # three callers, as three processes would be
    clients = [TestClient(app) for app in apps]
    try:
        for client in clients:
            assert client.get("/call/echo", params={"text": "hello", "timeout": "5"}).json()["body"]["echo"] == "hello"
        answers: dict[int, list[str]] = {}

        def call(number: int) -> None:
            text = f"caller {number % 3} call {number}"
            page = clients[number % 3].get("/call/slow", params={"text": text, "delay": "0.3"})
            answers.setdefault(number % 3, []).append(page.json()["body"]["echo"])

        greenlets = [concurrency.spawn(call, number) for number in range(12)]
        for greenlet in greenlets:
            greenlet.join()
        for number, echoed in answers.items():
            assert sorted(echoed) == sorted(f"caller {number} call {n}" for n in range(number, 12, 3))
        for app in apps:  # each caller's reply route saw its own replies only
            assert all(body["echo"] in ("hello", *answers[apps.index(app)]) for _, body in app.replies)
        apps[1].replies.clear()
        assert clients[1].get("/call/echo", params={"text": "later", "nowait": "1"}).json() == {"sent": True}
        deadline = time.monotonic() + 5
        while not apps[1].replies and time.monotonic() < deadline:
            concurrency.sleep(0.05)
        assert [body["echo"] for _, body in apps[1].replies] == ["later"]
    finally:
        for app in apps:
            close_services(app)


def test_a_hub_without_service_processes_times_out_and_stops_on_sigterm(hub, caller):
    page = caller.get("/call/echo", params={"timeout": "0.5"})
    assert page.status == 504
    assert "did not answer within 0.5 seconds" in page.text
    hub.terminate()
    assert hub.wait(5) == 0


def test_requests_sent_before_the_hub_starts_wait_for_it(addresses, caller, start_service, tmp_path):
    hub_command = addresses.through_hub()
    assert caller.get("/call/echo", params={"text": "early", "nowait": "1"}).json() == {"sent": True}
    assert caller.get("/call/echo", params={"timeout": "0.3"}).status == 504  # no hub yet: no answer
    start_service()
    hub = subprocess.Popen([sys.executable, *hub_command], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        deadline = time.monotonic() + 15
        while not caller.app.replies and time.monotonic() < deadline:
            concurrency.sleep(0.05)
        assert [body["echo"] for _, body in caller.app.replies] == ["early"]  # the timed-out one was dropped
    finally:
        hub.terminate()
        hub.wait(10)


# -- behind Mongrel2: the caller keeps answering while a call waits ----------------------------------------


def test_a_caller_behind_mongrel2_answers_other_requests_while_a_call_waits(mongrel2, start_service, addresses):
    start_service()
    endpoint = mongrel2()
    env = {
        "SERVICE_ADDR": addresses.addr,
        "SERVICE_RESPONSE_ADDR": addresses.response_addr,
        "SERVICE_PASSPHRASE": PASSPHRASE,
    }
    endpoint.start_app(["-m", "tests.support.apps.service_caller"], env=env, ready_path="/ping")
    with ThreadPoolExecutor(1) as pool:
        requests.get(endpoint.url + "/call", params={"delay": "0"}, timeout=10)  # connected
        started = time.monotonic()
        slow = pool.submit(requests.get, endpoint.url + "/call", params={"delay": "2"}, timeout=10)
        time.sleep(0.3)
        ping = requests.get(endpoint.url + "/ping", timeout=10)
        assert ping.text == "pong"
        assert not slow.done()
        assert time.monotonic() - started < 1.5
        assert slow.result().json()["echo"] == "waited 2"
        assert time.monotonic() - started >= 2


def test_the_service_demos_run_together(mongrel2, addresses, tmp_path):
    env = {"SERVICE_ADDR": addresses.addr, "SERVICE_RESPONSE_ADDR": addresses.response_addr, "SERVICE_DELAY": "1"}
    service = subprocess.Popen(
        [sys.executable, "-m", "demos.service"],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), **env),
        stderr=subprocess.DEVNULL,
    )
    try:
        endpoint = mongrel2()
        endpoint.start_app(["-m", "demos.service_client"], env=env)
        assert "/service/sync" in requests.get(endpoint.url + "/", timeout=10).text
        synced = requests.get(endpoint.url + "/service/sync", timeout=10)
        assert "I made a round trip, it took a while but I bring results." in synced.text
        started = time.monotonic()
        unawaited = requests.get(endpoint.url + "/service/async", timeout=10)
        assert time.monotonic() - started < 0.9
        assert "Async is faster" in unawaited.text
    finally:
        service.terminate()
        service.wait(10)
