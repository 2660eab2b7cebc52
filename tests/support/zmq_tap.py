"""A tap between a handler process and Mongrel2: it passes every frame on and records it.

The handler connects to the tap's two addresses (``BRUBECK_PULL``, ``BRUBECK_PUB``) instead of
Mongrel2's; the tap connects to Mongrel2's.  Requests (and disconnect notices) flow one way, reply
frames (``SENDER LEN:ID ID ..., HTTP``) the other, and Mongrel2's subscription back to the handler.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import zmq

from brubeck.testing import free_port


@dataclass(frozen=True)
class Reply:
    """One reply frame: the connection ids it names, and its raw HTTP."""

    conn_ids: list[str]
    payload: bytes


def parse_reply(frame: bytes) -> Reply:
    _sender, rest = frame.split(b" ", 1)
    length, rest = rest.split(b":", 1)
    ids = rest[: int(length)].decode("ascii")
    return Reply(ids.split(" "), rest[int(length) + 2 :])


class Tap:
    """Started on a Mongrel2 endpoint's addresses; ``pull_addr`` / ``pub_addr`` are for the handler."""

    def __init__(self, mongrel2_pull: str, mongrel2_pub: str) -> None:
        self.pull_addr = f"tcp://127.0.0.1:{free_port()}"
        self.pub_addr = f"tcp://127.0.0.1:{free_port()}"
        self.requests: list[bytes] = []
        self.replies: list[Reply] = []
        self._context = zmq.Context()
        self._sockets = {
            "from_mongrel2": self._socket(zmq.PULL, connect=mongrel2_pull),
            "to_handler": self._socket(zmq.PUSH, bind=self.pull_addr),
            "from_handler": self._socket(zmq.XSUB, bind=self.pub_addr),
            "to_mongrel2": self._socket(zmq.XPUB, connect=mongrel2_pub),
        }
        self._running = True
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _socket(self, kind: int, bind: str = "", connect: str = "") -> zmq.Socket:
        sock = self._context.socket(kind)
        sock.setsockopt(zmq.LINGER, 0)
        sock.bind(bind) if bind else sock.connect(connect)
        return sock

    def _run(self) -> None:
        s = self._sockets
        poller = zmq.Poller()
        for name in ("from_mongrel2", "from_handler", "to_mongrel2"):
            poller.register(s[name], zmq.POLLIN)
        waiting: list[bytes] = []  # requests for a handler that has not connected yet
        while self._running:
            for sock, _ in poller.poll(20):
                frame = sock.recv()
                if sock is s["from_mongrel2"]:
                    self.requests.append(frame)
                    waiting.append(frame)
                elif sock is s["from_handler"]:
                    self.replies.append(parse_reply(frame))
                    s["to_mongrel2"].send(frame)
                else:  # Mongrel2's (un)subscription, on to the handler
                    s["from_handler"].send(frame)
            try:  # never blocks: the handler connects its PULL socket only once it has Mongrel2's subscription
                while waiting:
                    s["to_handler"].send(waiting[0], zmq.NOBLOCK)
                    waiting.pop(0)
            except zmq.Again:
                pass

    def disconnects(self) -> int:
        """How many of Mongrel2's disconnect notices reached the handler."""
        return sum(b'"disconnect"' in frame for frame in self.requests)

    def replies_with(self, text: bytes, since: int = 0) -> list[Reply]:
        """The reply frames whose HTTP contains ``text`` (from the ``since``-th reply on)."""
        return [reply for reply in self.replies[since:] if text in reply.payload]

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            assert time.monotonic() < deadline, "timed out waiting on the tap"
            time.sleep(0.02)

    def close(self) -> None:
        self._running = False
        self._thread.join(2)
        for sock in self._sockets.values():
            sock.close()
        self._context.term()
