"""The suite's settings, read from the environment once, in each process's ``__main__``, with safe defaults.

``from_env()`` gives a site's :class:`shared.settings.Settings`; ``deployment()`` what the bring-up needs
(ports, the suite's own Redis, Mongrel2's sockets).  Both take the environment as an argument, so a test
builds settings from a dict of its own.

SUITE_PORT        Mongrel2's HTTP port (6767)
SUITE_DATA_DIR    where the data lives (var/)
MONGODB_URL       mongodb://... to use MongoDB; unset: the embedded SQLite store under SUITE_DATA_DIR
REDIS_URL         redis://...; unset: the suite's own redis-server on REDIS_PORT (6768)
REDIS_MAXMEMORY   the suite's own Redis keeps at most this much (256mb), then refuses writes (503)
COOKIE_SECRET     unset: generated once into SUITE_DATA_DIR/cookie_secret
COOKIE_SECURE     1: cookies only over HTTPS
LOG_LEVEL         INFO
MONGREL2_HOST     where handler processes find Mongrel2's ZeroMQ sockets (127.0.0.1)
MONGREL2_BIND     where Mongrel2 binds them (127.0.0.1)
MONGREL2_CHROOT   Mongrel2's chroot, where it stores large request bodies (the project root)
HANDLER_PORT_BASE the first of the handlers' ZeroMQ ports (9900): two a site, in the order of conf/sites.py
BRUBECK_PULL, BRUBECK_PUB  this process's site's ZeroMQ addresses instead of those (a test's, a benchmark's)
SMTP_URL          smtp://[user:password@]host[:port][?starttls=1] or smtps://…: password-reset mails (unset: none)
MAIL_FROM         their sender ("Brubeck suite <noreply@localhost>")
SERVICE_HOST      where processes find the services' hubs (127.0.0.1)
SERVICE_BIND      where the hubs bind their ports (127.0.0.1)
SERVICE_PORT_BASE the first of the hubs' ports (9960): four a service, in the order of conf/sites.py
SERVICE_PASSPHRASE what callers and services prove to each other; unset: generated once into
                  SUITE_DATA_DIR/service_passphrase (set it when they run on several machines)
SERVICE_TIMEOUT   how long a page waits for a service's reply (10 seconds)
FETCHER_ALLOW_PRIVATE  1: Readify's page fetcher may fetch loopback and private addresses (tests only)
LINKS_PER_ACCOUNT, ACCOUNTS_PER_ADDRESS_PER_HOUR, CHAT_*: see shared.settings
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from brubeck.service_hub import ServiceHub
from shared.settings import ChatSettings, ServiceAddresses, Settings, Site

from .sites import SERVICES, SITES

ROOT = Path(__file__).resolve().parent.parent


class Environment:
    """Named, typed reads of an environment (a value that is only blanks counts as unset)."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        self.environ = os.environ if environ is None else environ

    def text(self, name: str, default: str = "") -> str:
        return self.environ.get(name, "").strip() or default

    def number(self, name: str, default: int) -> int:
        return int(self.text(name, str(default)))

    def seconds(self, name: str, default: float) -> float:
        return float(self.text(name, str(default)))

    def flag(self, name: str) -> bool:
        return self.text(name, "0").lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Deployment:
    """What the bring-up needs beyond a site's settings: ports, Mongrel2's sockets, the suite's own Redis."""

    data_dir: Path
    suite_port: int
    redis_port: int
    own_redis: bool
    redis_maxmemory: str
    mongrel2_host: str
    mongrel2_bind: str
    mongrel2_chroot: Path
    handler_port_base: int
    log_level: str = "INFO"
    pull_addr: str | None = None
    pub_addr: str | None = None
    """BRUBECK_PULL / BRUBECK_PUB: where this process's site meets Mongrel2 instead (a test's, a benchmark's)."""
    service_host: str = "127.0.0.1"
    service_bind: str = "127.0.0.1"
    service_port_base: int = 9960

    def ports(self, name: str) -> tuple[int, int]:
        """The site's two handler ports: Mongrel2 sends requests to the first, takes replies from the second."""
        index = list(SITES).index(name)
        return self.handler_port_base + 2 * index, self.handler_port_base + 2 * index + 1

    def site(self, name: str) -> Site:
        send, recv = self.ports(name)
        return Site(
            name,
            f"http://{SITES[name].host}:{self.suite_port}",
            self.pull_addr or f"tcp://{self.mongrel2_host}:{send}",
            self.pub_addr or f"tcp://{self.mongrel2_host}:{recv}",
        )

    def service_hub(self, name: str, *, bound: bool = False) -> ServiceHub:
        """The four addresses of the service's hub: as the hub binds them (``bound``), or as the others
        find them."""
        base = self.service_port_base + 4 * list(SERVICES).index(name)
        host = self.service_bind if bound else self.service_host
        return ServiceHub(*(f"tcp://{host}:{port}" for port in range(base, base + 4)))


def deployment(environ: Mapping[str, str] | None = None) -> Deployment:
    """The deployment ``environ`` (default: this process's environment) describes."""
    env = Environment(environ)
    redis_port = env.number("REDIS_PORT", 6768)
    return Deployment(
        data_dir=Path(env.text("SUITE_DATA_DIR", str(ROOT / "var"))),
        suite_port=env.number("SUITE_PORT", 6767),
        redis_port=redis_port,
        own_redis=not env.text("REDIS_URL"),
        redis_maxmemory=env.text("REDIS_MAXMEMORY", "256mb"),
        mongrel2_host=env.text("MONGREL2_HOST", "127.0.0.1"),
        mongrel2_bind=env.text("MONGREL2_BIND", "127.0.0.1"),
        mongrel2_chroot=Path(env.text("MONGREL2_CHROOT", str(ROOT))),
        handler_port_base=env.number("HANDLER_PORT_BASE", 9900),
        log_level=env.text("LOG_LEVEL", "INFO").upper(),
        pull_addr=env.text("BRUBECK_PULL") or None,
        pub_addr=env.text("BRUBECK_PUB") or None,
        service_host=env.text("SERVICE_HOST", "127.0.0.1"),
        service_bind=env.text("SERVICE_BIND", "127.0.0.1"),
        service_port_base=env.number("SERVICE_PORT_BASE", 9960),
    )


def from_env(environ: Mapping[str, str] | None = None) -> Settings:
    """A site's settings from ``environ`` (default: this process's environment).

    Without COOKIE_SECRET, the secret is read from (or first written to) the data folder.
    """
    env = Environment(environ)
    where = deployment(environ)
    chat = ChatSettings(
        redis_url=env.text("REDIS_URL", f"redis://127.0.0.1:{where.redis_port}/0"),
        poll_timeout=env.seconds("CHAT_POLL_TIMEOUT", ChatSettings.poll_timeout),
        presence_ttl=env.seconds("CHAT_PRESENCE_TTL", ChatSettings.presence_ttl),
        held_per_account=env.number("CHAT_HELD_PER_ACCOUNT", ChatSettings.held_per_account),
        held_per_address=env.number("CHAT_HELD_PER_ADDRESS", ChatSettings.held_per_address),
        new_rooms_per_hour=env.number("CHAT_NEW_ROOMS_PER_HOUR", ChatSettings.new_rooms_per_hour),
        rooms_per_account=env.number("CHAT_ROOMS_PER_ACCOUNT", ChatSettings.rooms_per_account),
    )
    passphrase = env.text("SERVICE_PASSPHRASE") or stored_secret(where.data_dir, "service_passphrase")
    services = {}
    for name in SERVICES:
        hub = where.service_hub(name)
        services[name] = ServiceAddresses(hub.callers_addr, hub.replies_addr, passphrase)
    return Settings(
        cookie_secret=env.text("COOKIE_SECRET") or cookie_secret(where.data_dir),
        data_dir=where.data_dir,
        sites={name: where.site(name) for name in SITES},
        suite_url=f"http://localhost:{where.suite_port}/",
        mongodb_url=env.text("MONGODB_URL") or None,
        cookie_secure=env.flag("COOKIE_SECURE"),
        log_level=where.log_level,
        mongrel2_chroot=where.mongrel2_chroot,
        links_per_account=env.number("LINKS_PER_ACCOUNT", Settings.links_per_account),
        accounts_per_address_per_hour=env.number(
            "ACCOUNTS_PER_ADDRESS_PER_HOUR", Settings.accounts_per_address_per_hour
        ),
        chat=chat,
        smtp_url=env.text("SMTP_URL") or None,
        mail_from=env.text("MAIL_FROM", Settings.mail_from),
        services=services,
        service_timeout=env.seconds("SERVICE_TIMEOUT", Settings.service_timeout),
    )


def cookie_secret(data_dir: Path) -> str:
    """The secret in ``data_dir``/cookie_secret (created on first use)."""
    return stored_secret(data_dir, "cookie_secret")


def stored_secret(data_dir: Path, name: str) -> str:
    """The secret in ``data_dir``/``name`` (created on first use, by one process however many start at once)."""
    path = data_dir / name
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f"{name}.{os.getpid()}")
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
