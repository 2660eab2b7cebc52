"""Held requests: answered later, many at a time, without a greenlet each.

Behind Mongrel2 a held request costs one dict entry: the connection stays
open in Mongrel2 and :meth:`WaitingRoom.release` answers every waiter of a
key with one bulk reply per 128 connections.  Under WSGI the request's
greenlet waits on an event instead.  Waiters that outlive their timeout get
their timeout response; clients that disconnect are forgotten.  A waiter may
name its holders (an account, an address): :meth:`WaitingRoom.held_by` counts
the requests each holds, so that a handler can bound them.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import concurrency
from .request import Request
from .responses import Response

log = logging.getLogger("brubeck.longpoll")
SWEEP_INTERVAL = 0.25


@dataclass(eq=False, slots=True)
class Waiter:
    """One held request (slots: a process may hold tens of thousands)."""

    sender: str
    conn_id: str
    head: bool
    deadline: float
    timeout_response: Response
    holders: tuple[str, ...] = ()
    event: Any = None
    response: Response | None = field(default=None)


class WaitingRoom:
    """Requests held under keys (a chat room id, a user id...)."""

    def __init__(self, msg_conn: Any) -> None:
        self._conn = msg_conn
        self._by_key: dict[str, dict[tuple[str, str], Waiter]] = {}
        self._held_by: Counter[str] = Counter()
        self._sweeping = False

    def __len__(self) -> int:
        return sum(len(w) for w in self._by_key.values())

    def held_by(self, holder: str) -> int:
        """How many requests ``holder`` has waiting here."""
        return self._held_by[holder]

    def hold(
        self, request: Request, key: str, timeout: float, timeout_response: Response, holders: tuple[str, ...] = ()
    ) -> Response | None:
        """Hold ``request`` under ``key``, counted for each of ``holders``; ``None`` means Mongrel2 keeps it open."""
        waiter = Waiter(
            sys.intern(request.sender),  # one copy of each sender and holder, however many wait
            request.conn_id,
            request.method == "HEAD",
            time.monotonic() + timeout,
            timeout_response,
            tuple(sys.intern(holder) for holder in holders),
        )
        bulk = bool(request.sender) and hasattr(self._conn, "reply_bulk")
        if not bulk:
            waiter.event = concurrency.Event()
            waiter.conn_id = str(id(waiter))
        self._by_key.setdefault(key, {})[(waiter.sender, waiter.conn_id)] = waiter
        self._held_by.update(holders)
        if bulk:
            self._start_sweeper()
            return None
        try:
            waiter.event.wait(timeout)
        finally:
            self._remove(key, waiter)
        return waiter.response or timeout_response

    def release(self, key: str, response: Response) -> int:
        """Answer everyone held under ``key`` with ``response``."""
        waiters = list(self._by_key.pop(key, {}).values())
        self._gone(waiters)
        self._answer(waiters, response)
        return len(waiters)

    def forget(self, sender: str, conn_id: str) -> None:
        """Drop a connection that closed (Mongrel2's disconnect notice)."""
        for key in list(self._by_key):
            waiter = self._by_key[key].pop((sender, conn_id), None)
            if waiter is not None:
                self._gone([waiter])
                if not self._by_key[key]:
                    del self._by_key[key]

    def expire_all(self) -> int:
        """Answer every waiter now with its timeout response (a stopping process); how many there were."""
        waiters = [waiter for key in list(self._by_key) for waiter in self._by_key.pop(key).values()]
        self._gone(waiters)
        self._answer(waiters, None)
        return len(waiters)

    def _remove(self, key: str, waiter: Waiter) -> None:
        waiters = self._by_key.get(key)
        if waiters is not None and waiters.pop((waiter.sender, waiter.conn_id), None) is not None:
            self._gone([waiter])
            if not waiters:
                del self._by_key[key]

    def _gone(self, waiters: list[Waiter]) -> None:
        """No longer count ``waiters`` for their holders."""
        for waiter in waiters:
            if waiter.holders:
                self._held_by.subtract(waiter.holders)
                for holder in waiter.holders:
                    if self._held_by[holder] <= 0:
                        del self._held_by[holder]

    def _answer(self, waiters: list[Waiter], response: Response | None) -> None:
        """Answer ``waiters`` with ``response`` (``None``: each its own timeout response), in bulk replies."""
        groups: dict[tuple[str, bool, int], tuple[Response, list[str]]] = {}
        for waiter in waiters:
            answer = response or waiter.timeout_response
            if waiter.event is not None:
                waiter.response = answer
                waiter.event.set()
            else:
                groups.setdefault((waiter.sender, waiter.head, id(answer)), (answer, []))[1].append(waiter.conn_id)
        for (sender, head, _), (answer, conn_ids) in groups.items():
            self._conn.reply_bulk(sender, conn_ids, answer.to_http(head=head))

    def _start_sweeper(self) -> None:
        if not self._sweeping:
            self._sweeping = True
            concurrency.spawn(self._sweep)

    def _sweep(self) -> None:
        try:
            while self._by_key:
                concurrency.sleep(SWEEP_INTERVAL)
                now = time.monotonic()
                for key in list(self._by_key):
                    expired = [w for w in self._by_key[key].values() if w.event is None and w.deadline <= now]
                    for waiter in expired:
                        self._remove(key, waiter)
                    self._answer(expired, None)
        except Exception:
            log.exception("Long-poll sweeper failed")
        finally:
            self._sweeping = False
