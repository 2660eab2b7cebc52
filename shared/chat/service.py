"""A chat site's core on one Redis: messages, presence, held polls, and the housekeeping that says who left."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from brubeck import concurrency
from brubeck.request_handling import Brubeck
from brubeck.responses import Response

from ..settings import ChatSettings
from .messages import MessageLog, Page, RateLimited
from .names import Keys
from .presence import ROOMS_PER_ACCOUNT, TTL_MS, Presence
from .waiters import HELD_PER_ACCOUNT, HELD_PER_ADDRESS, TIMEOUT, NotSubscribed, Waiters

log = logging.getLogger("shared.chat")

MAX_CONNECTIONS = 32
UNAVAILABLE: tuple[type[BaseException], ...] = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.exceptions.OutOfMemoryError,  # Redis at its maxmemory refuses writes (the suite's: noeviction)
    NotSubscribed,
)
"""Errors that mean Redis cannot be used right now (answered with 503; the process goes on)."""


def connect(url: str, max_connections: int = MAX_CONNECTIONS) -> redis.Redis:
    """A client for ``url`` that gives up quickly while Redis is down (one reconnection, for a restarted Redis).

    Its pool holds at most ``max_connections``: a burst of polls waits for a connection (5 s at most, then
    503) rather than opening one each.
    """
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=max_connections,
        timeout=5,
        decode_responses=True,
        socket_timeout=5,
        socket_connect_timeout=2,
        health_check_interval=30,  # a connection idle that long (the subscription's) is checked with a PING
        retry=Retry(NoBackoff(), 1),
    )
    return redis.Redis(connection_pool=pool)


def open_chat(settings: ChatSettings, namespace: str) -> Chat:
    """The chat site ``namespace`` on the Redis and with the bounds of ``settings``."""
    return Chat(
        connect(settings.redis_url),
        namespace,
        poll_timeout=settings.poll_timeout,
        presence_ttl_ms=int(settings.presence_ttl * 1000),
        held_per_account=settings.held_per_account,
        held_per_address=settings.held_per_address,
        rooms_per_account=settings.rooms_per_account,
        new_rooms=settings.new_rooms_per_hour,
    )


class Chat:
    """One chat site (``namespace``) on ``client``: :attr:`messages`, :attr:`presence`, and once
    :meth:`serve` is called, :attr:`waiters` (the process's held polls) and the housekeeping."""

    def __init__(
        self,
        client: redis.Redis,
        namespace: str,
        poll_timeout: float = TIMEOUT,
        presence_ttl_ms: int = TTL_MS,
        held_per_account: int = HELD_PER_ACCOUNT,
        held_per_address: int = HELD_PER_ADDRESS,
        rooms_per_account: int = ROOMS_PER_ACCOUNT,
        **limits: int,
    ) -> None:
        self.client = client
        self.keys = Keys(namespace)
        self.messages = MessageLog(client, self.keys, **limits)
        self.presence = Presence(client, self.keys, presence_ttl_ms, rooms_per_account)
        self.poll_timeout = poll_timeout
        self.held_per_account, self.held_per_address = held_per_account, held_per_address
        self.waiters: Waiters | None = None
        self._housekeeping = False

    def serve(self, app: Brubeck, render: Callable[[str, Page], Response]) -> Waiters:
        """Hold polls in ``app`` (answered with ``render(room, page)``); the subscription starts with the first poll."""
        self.waiters = Waiters(
            self.client,
            self.keys,
            self.messages,
            app,
            render,
            timeout=self.poll_timeout,
            held_per_account=self.held_per_account,
            held_per_address=self.held_per_address,
        )
        return self.waiters

    def join(self, room: str, user: str) -> None:
        """``user`` joins ``room`` (an explicit POST: the room's form, the script's first call, a message):
        they are there now, with a "joined" line if they were not."""
        self._start()
        if self.presence.seen(room, user):
            try:
                self.messages.note(room, user, "joined")
            except RateLimited:  # a room this user may not make now: they are not in it
                self.presence.forget(room, user)
                raise
        for older in self.presence.overflow(user):  # in too many rooms: they leave the one seen least lately
            if self.presence.forget(older, user):
                self.messages.note(older, user, "left")

    def remove_user(self, user: str) -> list[str]:
        """Take ``user`` (whose account is gone) out of every room of this site now, each with a "left" line, and
        forget what is kept of them but their messages (the rooms they are in, their rates); those rooms."""
        left = [room for room in self.presence.rooms_of(user) if self.presence.forget(room, user)]
        for room in left:
            self.messages.note(room, user, "left")
        self.client.delete(self.keys.user_rooms(user), self.keys.rate(user), self.keys.new_rooms(user))
        return left

    def polled(self, room: str, user: str) -> None:
        """A poll of ``user`` in ``room``: it keeps them there if they joined, and never joins them."""
        self._start()
        self.presence.refresh(room, user)

    def _start(self) -> None:
        self._start_housekeeping()
        if self.waiters is not None:
            self.waiters.start()  # subscribed before this user's next poll needs it

    def _start_housekeeping(self) -> None:
        if not self._housekeeping:
            self._housekeeping = True
            concurrency.spawn(self._keep_house)

    def _keep_house(self) -> None:
        """Every few seconds: write a "left" line for each user gone, and forget polls that timed out."""
        interval = max(0.2, min(5.0, self.presence.ttl_ms / 4000))
        while True:
            concurrency.sleep(interval)
            try:
                for room, user in self.presence.sweep():
                    self.messages.note(room, user, "left")
            except UNAVAILABLE as error:
                log.warning("Chat housekeeping skipped: Redis is unavailable (%s)", error)
            except Exception:
                log.exception("Chat housekeeping failed")
            if self.waiters is not None:
                self.waiters.prune()
