"""The suite's settings, read from the environment with safe defaults.

SUITE_PORT      Mongrel2's HTTP port (6767)
MONGODB_URL     mongodb://... to use MongoDB; unset: embedded store under var/
REDIS_URL       redis://...; unset: the suite's own redis-server on REDIS_PORT
COOKIE_SECRET   unset: generated once into var/cookie_secret
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, "").strip() or default


DATA_DIR = Path(_env("SUITE_DATA_DIR", str(ROOT / "var")))
SUITE_PORT = int(_env("SUITE_PORT", "6767"))
REDIS_PORT = int(_env("REDIS_PORT", "6768"))
MONGODB_URL = _env("MONGODB_URL") or None
REDIS_URL = _env("REDIS_URL") or f"redis://127.0.0.1:{REDIS_PORT}/0"
OWN_REDIS = not _env("REDIS_URL")
# The suite's own Redis keeps at most this much (redis-server's units: 256mb, 1gb); when full it refuses
# writes (noeviction: no room, message or limit silently dropped) and the chat answers 503.
REDIS_MAXMEMORY = _env("REDIS_MAXMEMORY", "256mb")
LOG_LEVEL = _env("LOG_LEVEL", "INFO").upper()
COOKIE_SECURE = _env("COOKIE_SECURE", "0") in ("1", "true", "yes")
# Where handler processes find Mongrel2's ZeroMQ sockets, and where Mongrel2 binds them.
MONGREL2_HOST = _env("MONGREL2_HOST", "127.0.0.1")
MONGREL2_BIND = _env("MONGREL2_BIND", "127.0.0.1")
# Mongrel2's chroot (conf/mongrel2.conf: the project root), where it stores large request bodies.
MONGREL2_CHROOT = _env("MONGREL2_CHROOT", str(ROOT))
HANDLER_PORT_BASE = int(_env("HANDLER_PORT_BASE", "9900"))
# Limits that keep one account or one address from filling the store.
LINKS_PER_ACCOUNT = int(_env("LINKS_PER_ACCOUNT", "100000"))
ACCOUNTS_PER_ADDRESS_PER_HOUR = int(_env("ACCOUNTS_PER_ADDRESS_PER_HOUR", "20"))
# Chat (shared/chat): how long a long-poll is held, how long a listener counts as there after their last poll.
CHAT_POLL_TIMEOUT = float(_env("CHAT_POLL_TIMEOUT", "25"))
CHAT_PRESENCE_TTL = float(_env("CHAT_PRESENCE_TTL", "60"))
# The most polls held at once in one chat process for one account, and for one address (then 429).
CHAT_HELD_PER_ACCOUNT = int(_env("CHAT_HELD_PER_ACCOUNT", "20"))
CHAT_HELD_PER_ADDRESS = int(_env("CHAT_HELD_PER_ADDRESS", "200"))
# The most rooms one account may make in an hour (each is a stream Redis keeps for a week).
CHAT_NEW_ROOMS_PER_HOUR = int(_env("CHAT_NEW_ROOMS_PER_HOUR", "60"))
# The most rooms one account is in at once (joining another leaves the one it was seen in least lately).
CHAT_ROOMS_PER_ACCOUNT = int(_env("CHAT_ROOMS_PER_ACCOUNT", "5"))


@dataclass(frozen=True)
class Site:
    """A site's host name and the two ZeroMQ ports between it and Mongrel2."""

    name: str
    host: str
    send_port: int
    recv_port: int

    @property
    def pull_addr(self) -> str:
        return f"tcp://{MONGREL2_HOST}:{self.send_port}"

    @property
    def pub_addr(self) -> str:
        return f"tcp://{MONGREL2_HOST}:{self.recv_port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{SUITE_PORT}/"


def _site(index: int, name: str, host: str) -> Site:
    return Site(name, host, HANDLER_PORT_BASE + 2 * index, HANDLER_PORT_BASE + 2 * index + 1)


SITES = {
    site.name: site
    for site in [
        _site(0, "listsurf", "listsurf.localhost"),
        _site(1, "readify", "readify.localhost"),
        _site(2, "readify-api", "api.readify.localhost"),  # its Procfile name; readify_api_* in mongrel2.conf
        _site(3, "spotichat", "spotichat.localhost"),
        _site(4, "landing", "localhost"),  # the landing page's handler (conf/landing.py)
    ]
}


def cookie_secret() -> str:
    """COOKIE_SECRET, or the secret in var/cookie_secret (created on first use)."""
    configured = _env("COOKIE_SECRET")
    if configured:
        return configured
    path = DATA_DIR / "cookie_secret"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"cookie_secret.{os.getpid()}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(draft, path)  # atomic: the first process to get here wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
