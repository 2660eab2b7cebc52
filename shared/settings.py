"""What a site's process is configured with: one typed object, made once and passed to ``create_app``.

The suite reads it from the environment in each process's ``__main__``
(``conf.settings.from_env()``); tests build their own.  Library code never
reads the environment: it takes what it needs from here, as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .limits import LINKS_PER_ACCOUNT


@dataclass(frozen=True)
class Site:
    """Where a site is: its public URL, and the two ZeroMQ addresses between it and Mongrel2."""

    name: str
    url: str  # "http://listsurf.localhost:6767": absolute links are built from this, never from Host
    pull_addr: str  # Mongrel2 pushes requests here
    pub_addr: str  # Mongrel2 subscribes to replies here


@dataclass(frozen=True)
class ChatSettings:
    """The chat core's Redis and bounds (:mod:`shared.chat`)."""

    redis_url: str = "redis://127.0.0.1:6768/0"
    poll_timeout: float = 25.0
    """Seconds a long-poll is held."""
    presence_ttl: float = 60.0
    """Seconds a listener counts as there after their last poll."""
    held_per_account: int = 20
    """The most polls held at once in one process for one account (then 429)."""
    held_per_address: int = 200
    """The same for one address."""
    new_rooms_per_hour: int = 60
    """The most rooms one account may make in an hour (each is a stream Redis keeps for a week)."""
    rooms_per_account: int = 5
    """The most rooms one account is in at once (joining another leaves the one seen least lately)."""


@dataclass(frozen=True)
class ServiceAddresses:
    """Where a site's processes call a service (:mod:`brubeck.service`) through its hub, and its passphrase."""

    requests: str  # the hub's callers' address: callers push requests here
    replies: str  # and take their replies here
    passphrase: str


@dataclass(frozen=True)
class Settings:
    """The suite's configuration, as one process sees it."""

    cookie_secret: str
    data_dir: Path
    """Where the embedded store (and the suite's Redis) keep their files."""
    sites: Mapping[str, Site] = field(default_factory=dict)
    suite_url: str = "http://localhost:6767/"
    """The landing page, which every site's pages link to."""
    mongodb_url: str | None = None
    """mongodb://… to use MongoDB; None: the embedded SQLite store under ``data_dir``."""
    cookie_secure: bool = False
    log_level: str = "INFO"
    mongrel2_chroot: Path | None = None
    """Mongrel2's chroot, where it stores large request bodies (None: the handler's working folder)."""
    links_per_account: int = LINKS_PER_ACCOUNT
    """The most links one account keeps on a site."""
    accounts_per_address_per_hour: int = 20
    """The most sign-ups one address makes in an hour."""
    chat: ChatSettings = field(default_factory=ChatSettings)
    smtp_url: str | None = None
    """smtp://[user:password@]host[:port] (``?starttls=1`` to upgrade), or smtps://…: where password-reset
    mails are sent from; None: no mail, the reset page says how an administrator resets a password."""
    mail_from: str = "Brubeck suite <noreply@localhost>"
    services: Mapping[str, ServiceAddresses] = field(default_factory=dict)
    """The services the sites may call, by name; one missing is not running here."""
    service_timeout: float = 10.0
    """How long a page waits for a service's reply (seconds)."""

    def site(self, name: str) -> Site:
        """The named site's addresses (LookupError, naming the known ones, when there is none)."""
        try:
            return self.sites[name]
        except KeyError:
            raise LookupError(f"no site named {name!r} in the settings (known: {', '.join(self.sites)})") from None
