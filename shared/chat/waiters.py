"""Held polls of one process, and the one Redis subscription that wakes them.

A poll whose cursor is up to date is held (the framework's ``hold``: behind
Mongrel2 it costs a dict entry, not a greenlet) under the key ``room cursor``,
so every poll holding the same cursor in a room gets one response, sent by
``release`` as one Mongrel2 reply per 128 connections.  Each process keeps ONE
subscription, to the site's channel, on which every write names its room; on
such a message the process reads what is new after each cursor held in that
room and releases those polls.

No wake-up is lost between a poll's check and its hold: the subscription is
up before any poll is held (:meth:`Waiters.wait` waits for it), and a poll
whose room was woken while it read checks again before it is held (each wake
and each re-subscription moves the room's mark).  When the subscription
comes back after Redis was away, every room with held polls is checked.
Held polls are answered after ``timeout`` seconds with no messages and the
same cursor; Mongrel2's disconnect notice drops a poll at once (the framework).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable

import redis

from brubeck import concurrency
from brubeck.request_handling import Brubeck, MessageHandler
from brubeck.responses import Response

from .messages import MessageLog, Page
from .names import Keys, format_id, parse_cursor

log = logging.getLogger("shared.chat")

TIMEOUT = 25.0
HELD_PER_ACCOUNT = 20
"""The most polls one account may have held in one process (a tab holds one)."""
HELD_PER_ADDRESS = 200
"""The most polls one address may have held in one process (many people may share an address)."""
READY_WAIT = 2.0  # how long a poll waits for the subscription before it is told the chat is unavailable
RETRY_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0)  # between attempts to subscribe again


class TooManyPolls(Exception):
    """The account or the address already has its most polls held in this process."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class NotSubscribed(Exception):
    """This process has no subscription to Redis right now (Redis is down or unreachable)."""


class Waiters:
    """The process's held polls of one chat site, and the subscription that answers them.

    Polls are held in ``app``'s waiting room ``waiting_room``; ``render(room, page)``
    turns a room's page into the response polls get (one response for every poll of a room and cursor).
    """

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        messages: MessageLog,
        app: Brubeck,
        render: Callable[[str, Page], Response],
        waiting_room: str = "chat",
        timeout: float = TIMEOUT,
        held_per_account: int = HELD_PER_ACCOUNT,
        held_per_address: int = HELD_PER_ADDRESS,
    ) -> None:
        self.client, self.keys, self.messages = client, keys, messages
        self.app, self.render, self.waiting_room, self.timeout = app, render, waiting_room, timeout
        self.held_per_account, self.held_per_address = held_per_account, held_per_address
        self._held: dict[str, dict[str, float]] = {}  # room -> cursor -> when its last poll times out
        self._quiet: dict[tuple[str, str], Response] = {}  # (room, cursor) -> the answer when nothing came
        self._marks: dict[str, int] = {}  # room -> the wake count at its last wake-up
        self._wakes = 0
        self._prunes = 0
        self._epoch = 0  # subscriptions made so far
        self._subscribed = concurrency.Event()
        self._started = False
        self._waking: set[str] = set()
        self._again: set[str] = set()

    # -- polls ------------------------------------------------------------------------------------
    def wait(self, handler: MessageHandler, room: str, cursor: str, user: str, address: str) -> Response | None:
        """Answer ``handler``'s poll (by ``user`` from ``address``) now if there is news after ``cursor``, else
        hold it (``None``); :class:`TooManyPolls` when that account or address holds its most already."""
        holders = self._check_holders(user, address)
        seen = format_id(parse_cursor(cursor))
        if not self._subscribed.is_set():  # first poll, or Redis was away: news first, then subscribe
            page = self.messages.after(room, seen)
            if page.messages or page.reset:
                return self.render(room, page)
            self.start()
            if not self._subscribed.wait(READY_WAIT):
                raise NotSubscribed("no subscription to Redis")
        while True:
            mark = self._mark(room)
            page = self.messages.after(room, seen)
            if page.messages or page.reset:
                return self.render(room, page)
            if self._mark(room) == mark:
                break  # nothing arrived while we read: hold it (no yield from here on)
        deadline = time.monotonic() + self.timeout
        cursors = self._held.setdefault(room, {})
        cursors[seen] = max(deadline, cursors.get(seen, 0.0))
        quiet = self._quiet.get((room, seen))
        if quiet is None:  # one timeout answer for all the polls of a room and cursor
            quiet = self._quiet[room, seen] = self.render(room, Page([], seen))
        return handler.hold(self.waiting_room, f"{room} {seen}", self.timeout, quiet, holders)

    def _check_holders(self, user: str, address: str) -> tuple[str, ...]:
        """The poll's holders, unless one of them is at its bound (polls held in this process)."""
        held = self.app.waiting_room(self.waiting_room).held_by
        bounds = (
            (f"user:{user}", self.held_per_account, "this account"),
            (f"addr:{address}", self.held_per_address, "this address"),
        )
        for holder, bound, whose in bounds:
            if held(holder) >= bound:
                retry = max(1, math.ceil(self.timeout))
                raise TooManyPolls(
                    f"Too many polls are waiting for {whose} ({bound}): close a tab or try again later.", retry
                )
        return tuple(holder for holder, _, _ in bounds)

    def _mark(self, room: str) -> tuple[int, int, int]:
        return self._epoch, self._prunes, self._marks.get(room, -1)

    def held_rooms(self) -> int:
        """How many rooms have polls held here (for the tests and the logs)."""
        return len(self._held)

    # -- the subscription ---------------------------------------------------------------------------
    def start(self) -> None:
        """Subscribe (once per process), in a greenlet of its own.

        Only where Brubeck patched the standard library (``BRUBECK_MONKEY_PATCH``): elsewhere the Redis
        client would block every greenlet while it waits, so nothing is subscribed and polls that would
        be held are refused as :class:`NotSubscribed` (in-process tests answer only polls with news).
        """
        if not self._started and concurrency.MONKEY_PATCHED:
            self._started = True
            concurrency.spawn(self._listen)

    def _listen(self) -> None:
        failures = 0
        while True:
            pubsub = self.client.pubsub()  # type: ignore[no-untyped-call]
            try:
                pubsub.subscribe(self.keys.channel)
                while True:
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        failures = 0
                        self._on_subscribed()
                    elif message["type"] == "message":
                        self._woken(message["data"])
            except (redis.ConnectionError, redis.TimeoutError) as error:
                if self._subscribed.is_set():
                    log.error("Lost the chat subscription to Redis (%s); subscribing again", error)
                self._subscribed = concurrency.Event()
            except Exception:
                log.exception("The chat subscription failed; subscribing again")
                self._subscribed = concurrency.Event()
            finally:
                try:
                    pubsub.close()
                except Exception:  # pragma: no cover - closing a broken connection
                    pass
            concurrency.sleep(RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)])
            failures += 1

    def _on_subscribed(self) -> None:
        if self._epoch:
            log.info("Subscribed to Redis again; checking %d rooms with held polls", len(self._held))
        self._epoch += 1
        self._subscribed.set()
        for room in list(self._held):
            self._woken(room)

    def _woken(self, room: str) -> None:
        """News in ``room``: answer its held polls (a room being answered is answered once more after)."""
        self._wakes += 1
        self._marks[room] = self._wakes
        if room in self._waking:
            self._again.add(room)
        elif room in self._held:
            self._waking.add(room)
            concurrency.spawn(self._answer_room, room)

    def _answer_room(self, room: str) -> None:
        try:
            while True:
                self._again.discard(room)
                self._answer_cursors(room)
                if room not in self._again:
                    return
        except (redis.ConnectionError, redis.TimeoutError) as error:
            log.error("Could not read room %s from Redis (%s): its polls wait for the next news", room, error)
        finally:
            self._waking.discard(room)

    def _answer_cursors(self, room: str) -> None:
        now = time.monotonic()
        for cursor, deadline in list(self._held.get(room, {}).items()):
            if deadline <= now:
                self._forget(room, cursor)
                continue
            page = self.messages.after(room, cursor)
            if page.messages or page.reset:
                self.app.release(self.waiting_room, f"{room} {cursor}", self.render(room, page))
                self._forget(room, cursor)

    def _forget(self, room: str, cursor: str) -> None:
        self._quiet.pop((room, cursor), None)
        cursors = self._held.get(room)
        if cursors is not None:
            cursors.pop(cursor, None)
            if not cursors:
                del self._held[room]

    def prune(self) -> None:
        """Forget the cursors whose polls have all timed out, and the marks of rooms with none held."""
        now = time.monotonic()
        for room in list(self._held):
            for cursor, deadline in list(self._held[room].items()):
                if deadline <= now:
                    self._forget(room, cursor)
        for room in [room for room in self._marks if room not in self._held and room not in self._waking]:
            del self._marks[room]
        self._prunes += 1  # a poll reading meanwhile checks again: its room's mark may be gone
