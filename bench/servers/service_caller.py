"""The caller of bench.service: the same work done inline, or by the echo service through ZeroMQ.

``python -m bench.servers.service_caller mongrel2 PULL_ADDR PUB_ADDR SERVICE_ADDR RESPONSE_ADDR KB``
    behind Mongrel2: ``/inline`` answers :func:`~bench.servers.echo_service.work`'s digest, ``/service``
    the service's, asked with ``send_service_request``
``python -m bench.servers.service_caller loop SERVICE_ADDR RESPONSE_ADDR SECONDS``
    no HTTP: synchronous calls one after the other for SECONDS, after a warm-up; prints one JSON line
    (calls, seconds, p50_ms, p99_ms, cpu_s)
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from bench.servers.echo_service import PASSPHRASE, work
from brubeck.connections import Mongrel2Connection
from brubeck.handlers import WebMessageHandler
from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from brubeck.service import ServiceClientMixin, close_services

TEXT = "brubeck"
WARMUP_CALLS = 200


class Settings:
    """What both routes are given on the command line."""

    service_addr = ""
    response_addr = ""
    kb = 0


class InlineHandler(WebMessageHandler):
    def get(self) -> Response:
        self.set_body(work(TEXT, Settings.kb))
        return self.render()


class ServiceHandler(ServiceClientMixin, WebMessageHandler):
    def get(self) -> Response:
        digest = call(self)
        self.set_body(str(digest))
        return self.render()


def call(caller: ServiceClientMixin) -> Any:
    """One synchronous call of the service's ``/work``: its digest."""
    caller.register_service(Settings.service_addr, Settings.response_addr, PASSPHRASE)
    request = caller.create_service_request("/work", "request", {"text": TEXT})
    response, _ = caller.send_service_request(Settings.service_addr, request, handle=False, timeout=5)
    return response.body["digest"]


class LoopCaller(ServiceClientMixin):
    def __init__(self) -> None:
        self.application = Brubeck()


def loop(seconds: float) -> dict[str, float]:
    """Call the service one call at a time for ``seconds``: the count, the time, p50 and p99, the CPU."""
    caller = LoopCaller()
    for _ in range(WARMUP_CALLS):
        call(caller)
    times: list[float] = []
    cpu, started = time.process_time(), time.perf_counter()
    while time.perf_counter() - started < seconds:
        sent = time.perf_counter()
        call(caller)
        times.append(time.perf_counter() - sent)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    close_services(caller.application)
    times.sort()
    return {
        "calls": len(times),
        "seconds": elapsed,
        "p50_ms": times[len(times) // 2] * 1000,
        "p99_ms": times[min(len(times) - 1, len(times) * 99 // 100)] * 1000,
        "cpu_s": cpu,
    }


def main(argv: list[str]) -> None:
    if len(argv) == 6 and argv[0] == "mongrel2":
        Settings.service_addr, Settings.response_addr, Settings.kb = argv[3], argv[4], int(argv[5])
        routes = [(r"^/inline$", InlineHandler), (r"^/service$", ServiceHandler)]
        Brubeck(msg_conn=Mongrel2Connection(argv[1], argv[2]), handler_tuples=routes).run()
    elif len(argv) == 4 and argv[0] == "loop":
        Settings.service_addr, Settings.response_addr = argv[1], argv[2]
        print(json.dumps(loop(float(argv[3]))), flush=True)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
