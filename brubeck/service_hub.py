"""A service hub: lets several caller processes share the service processes of one address.

In brubeck-service's shape a caller binds the service's two addresses, so only one process can call
a service.  A hub binds them instead (service processes connect to it as they would to a caller,
unchanged) and binds two more for the callers, who register with ``hub=True``::

    callers ──PUSH──► callers_addr  [hub]  service_addr ──PUSH──► service processes (PULL)
    callers ◄─DEALER─ replies_addr  [hub]  service_response_addr ◄──PUSH── service processes

Requests go to the service processes in turn (ZeroMQ's load balancing); each reply starts with
its caller's id, which the hub's ROUTER socket reads to send it to that caller alone.  The hub
reads nothing else: passphrases are checked at both ends.  Both directions are
:func:`zmq.proxy_steerable`, each in a thread of its own (the coroutine library's thread pool).

Run one with ``python -m brubeck.service_hub CALLERS_ADDR REPLIES_ADDR SERVICE_ADDR SERVICE_RESPONSE_ADDR``;
SIGTERM stops it.  Requests and replies inside the hub when it stops are lost: a caller waiting for
one gets its timeout.
"""

from __future__ import annotations

import argparse
import logging
import signal
from dataclasses import dataclass
from typing import Any

import zmq

from . import concurrency

__all__ = ["ServiceHub", "main"]

log = logging.getLogger("brubeck.service_hub")
STOP_POLL = 0.2
"""How often (seconds) a running hub looks whether it was told to stop."""
CALLERS_GRACE = 0.5
"""How long (seconds) a hub that starts waits before passing requests on: its ROUTER drops a reply to a
caller not connected yet, and callers that queued requests while the hub was down reconnect their two
sockets independently (ZeroMQ retries every 100 ms), so their reply socket gets this long to come back
before the queued requests' replies can."""


@dataclass(frozen=True)
class ServiceHub:
    """The four addresses a hub binds: two for its callers, two for the service processes."""

    callers_addr: str
    replies_addr: str
    service_addr: str
    service_response_addr: str

    def run(self, stop: Any) -> None:
        """Pass requests and replies until ``stop`` (a :class:`brubeck.concurrency.Event`) is set, then close."""
        context = zmq.Context()
        directions = [
            self._direction(context, "requests", (zmq.PULL, self.callers_addr), (zmq.PUSH, self.service_addr)),
            self._direction(
                context, "replies", (zmq.PULL, self.service_response_addr), (zmq.ROUTER, self.replies_addr)
            ),
        ]
        log.info(
            "Service hub: callers at %s (replies at %s), services at %s (replies at %s)",
            self.callers_addr,
            self.replies_addr,
            self.service_addr,
            self.service_response_addr,
        )
        stopped = []
        for sockets, _ in reversed(directions):  # each proxy blocks a thread of its own (the library's pool)
            done = concurrency.Event()
            concurrency.spawn(_in_thread, sockets, done)
            stopped.append(done)
            concurrency.sleep(CALLERS_GRACE)  # replies first: see CALLERS_GRACE
        while not stop.is_set():  # a signal handler sets it; under eventlet, no wait would wake for that
            concurrency.sleep(STOP_POLL)
        for _, control in directions:
            control.send(b"TERMINATE")
        for done in stopped:
            done.wait()
        for sockets, control in directions:
            for sock in (*sockets[:2], sockets[3], control):
                sock.close(linger=0)
        context.term()
        log.info("Service hub stopped")

    @staticmethod
    def _direction(
        context: Any, name: str, front: tuple[int, str], back: tuple[int, str]
    ) -> tuple[tuple[Any, Any, None, Any], Any]:
        """One direction's sockets, bound, with the control pair that stops its proxy."""
        sockets = []
        for kind, addr in (front, back):
            sock = context.socket(kind)
            sock.setsockopt(zmq.LINGER, 0)
            sock.bind(addr)
            sockets.append(sock)
        control_addr = f"inproc://{name}-control"
        inside = context.socket(zmq.PAIR)
        inside.bind(control_addr)
        outside = context.socket(zmq.PAIR)
        outside.connect(control_addr)
        return (sockets[0], sockets[1], None, inside), outside


def main(argv: list[str] | None = None) -> None:
    """``python -m brubeck.service_hub``: run a hub until SIGTERM or Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m brubeck.service_hub", description=__doc__.split("\n")[0])
    for name in ("callers_addr", "replies_addr", "service_addr", "service_response_addr"):
        parser.add_argument(name)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    run_until_signalled(ServiceHub(args.callers_addr, args.replies_addr, args.service_addr, args.service_response_addr))


def run_until_signalled(hub: ServiceHub) -> None:
    """Run ``hub`` in this process until SIGTERM or SIGINT."""
    stop = concurrency.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        concurrency.on_signal(signum, stop.set)
    hub.run(stop)


def _in_thread(sockets: tuple[Any, Any, None, Any], done: Any) -> None:
    try:
        concurrency.run_in_thread(zmq.proxy_steerable, *sockets)
    finally:
        done.set()


if __name__ == "__main__":
    main()
