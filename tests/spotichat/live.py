"""SpotiChat end to end: the site behind a real Mongrel2 on a real Redis, and its users' clients."""

from __future__ import annotations

import json
import random
import socket
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.spotichat.pages import ListenerActions
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD
from tests.support.servers import ROOT, Endpoint
from tests.support.zmq_tap import Tap

STATIC = str(ROOT / "spotichat" / "static")


class Chatter(ListenerActions, SiteClient):
    """A SpotiChat user's client, through Mongrel2."""

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())


def random_track() -> str:
    """A track id of its own for each test (the tests share one Redis)."""
    return "".join(random.choices(string.ascii_letters + string.digits, k=22))


@dataclass
class SpotiChat:
    """Starts SpotiChat processes behind Mongrel2s, all on one data folder and one Redis."""

    mongrel2: Callable[..., Endpoint]
    data_dir: Path
    redis_url: str

    def env(self, endpoint: Endpoint, **extra: str) -> dict[str, str]:
        return {
            "SUITE_DATA_DIR": str(self.data_dir),
            "COOKIE_SECRET": "test-secret-spotichat",
            "SUITE_PORT": str(endpoint.port),
            "MONGREL2_CHROOT": str(endpoint.server.workdir),
            "BRUBECK_BCRYPT_ROUNDS": "4",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": self.redis_url,
            **extra,
        }

    def start(self, endpoint: Endpoint | None = None, tap: bool = False, **extra: str) -> tuple[Endpoint, Tap | None]:
        """One more SpotiChat process (behind a new Mongrel2 unless ``endpoint``), through a :class:`Tap` if asked."""
        endpoint = endpoint or self.mongrel2(static_dir=STATIC)
        env = self.env(endpoint, **extra)
        spy = Tap(endpoint.pull_addr, endpoint.pub_addr) if tap else None
        if spy:
            env.update(BRUBECK_PULL=spy.pull_addr, BRUBECK_PUB=spy.pub_addr)
        endpoint.start_app(["-m", "spotichat"], env=env, ready_path="/login")
        return endpoint, spy


def signed_up(endpoint: Endpoint, username: str) -> Chatter:
    client = Chatter(endpoint.url)
    assert client.sign_up(username, PASSWORD).headers["Location"] == "/"
    return client


def open_poll(endpoint: Endpoint, client: Chatter, track: str, cursor: str) -> socket.socket:
    """Send a poll on a connection of its own without reading the answer (many can be held at once)."""
    sock = socket.create_connection(("127.0.0.1", endpoint.port), timeout=30)
    request = (
        f"GET /api/rooms/{track}/messages?cursor={cursor} HTTP/1.1\r\nHost: spotichat.localhost\r\n"
        f"Cookie: {client.cookie_header()}\r\nAccept: application/json\r\n\r\n"
    )
    sock.sendall(request.encode("ascii"))
    return sock


def json_of(answer: tuple[int, dict[str, str], bytes]) -> Any:
    """The JSON body of a 200 answer read from a raw connection."""
    status, headers, body = answer
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    return json.loads(body)
