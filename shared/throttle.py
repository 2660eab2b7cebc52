"""Login throttling: attempts counted in the store, shared by every process, before any password is checked.

Each attempt is counted (atomically) before its password is checked, so
however many arrive at once, at most the limit of them is ever checked in a
window.  Three counts, each over ``WINDOW_MS``:

- per address and account: ``PAIR_LIMIT`` attempts (the one a guesser meets),
  slowed down after ``SLOW_AFTER``;
- per address: ``ADDRESS_LIMIT``, across accounts (one address guessing many);
- per account: ``ACCOUNT_LIMIT``, from every address (many addresses guessing one),
  high enough that one address (held to ``PAIR_LIMIT``) cannot lock the owner out.

So the owner, from an address that has not failed, gets in while someone
else's address is refused.  A successful login gives its attempt back and
clears its address's count for the account.  A refused attempt stores
nothing, and a name no account can have is counted as one, so one client
can make the store keep only a bounded amount.
"""

from __future__ import annotations

from dataclasses import dataclass

from brubeck import concurrency
from brubeck.models import USERNAME_RE
from brubeck.timekeeping import curtime

from .store import Store

WINDOW_MS = 15 * 60 * 1000
SLOW_AFTER = 5
PAIR_LIMIT = 10
ADDRESS_LIMIT = 50
ACCOUNT_LIMIT = 100
MAX_DELAY_SECONDS = 4.0
MAX_ADDRESS_LENGTH = 64
"""Longer than any IPv6 address with its zone: what a key keeps of the client's address."""
REFUSE_AFTER = PAIR_LIMIT
"""The attempts one address gets at one account in a window (the limit a single guesser meets)."""


@dataclass(frozen=True)
class Verdict:
    """What to do with a login attempt."""

    refused: bool
    delay: float
    retry_after_s: int


@dataclass(frozen=True)
class Attempt:
    """A counted login attempt: its keys, and whether to go on with it."""

    keys: tuple[str, ...]
    verdict: Verdict


SIGN_UP_WINDOW_MS = 3600 * 1000


def sign_ups_refused(store: Store, address: str, per_hour: int) -> int:
    """Count an account made from ``address``: 0 to go on, or the seconds to wait when the hour's
    limit (``per_hour`` accounts an address makes) is used up."""
    return hourly_refused(store, "signup", address, per_hour)


def hourly_refused(store: Store, what: str, address: str, per_hour: int) -> int:
    """Count one ``what`` (``signup``, ``reset``…) from ``address``: 0 to go on, or the seconds to wait when
    the hour's limit is used up."""
    now = curtime()
    key = f"{what}:{address[:MAX_ADDRESS_LENGTH]}"
    if store.login_failures.add(key, now, SIGN_UP_WINDOW_MS) <= per_hour:
        return 0
    until = max((expires for _, expires in store.login_failures.live([key], now)), default=now + SIGN_UP_WINDOW_MS)
    return max(1, (until - now) // 1000)


class LoginThrottle:
    """Counts login attempts in the store's records (``login_failures``)."""

    def __init__(self, store: Store) -> None:
        self.records = store.login_failures

    @staticmethod
    def limits(username: str, address: str) -> list[tuple[str, int]]:
        """The keys this attempt counts under, each with its limit (the pair's first).

        A name no account can have (too long, other characters) counts as the empty name, so what is
        stored is bounded whatever is typed.
        """
        account = username.strip().lower()
        if not USERNAME_RE.fullmatch(account):
            account = ""
        address = address[:MAX_ADDRESS_LENGTH]
        keys = [(f"pair:{address}|{account}", PAIR_LIMIT), (f"user:{account}", ACCOUNT_LIMIT)]
        if address:
            keys.insert(1, (f"addr:{address}", ADDRESS_LIMIT))
        return keys

    def attempt(self, username: str, address: str) -> Attempt:
        """Count this attempt, then say whether to check its password, and after how long a pause.

        An attempt whose counts are already at a limit is refused before anything is stored; one that
        goes over a limit while others count at the same moment stops at that count (the later ones
        are not counted).
        """
        now = curtime()
        limits = self.limits(username, address)
        for key, limit in limits:
            live = self.records.live([key], now)
            if live and live[0][0] >= limit:
                return Attempt((), self._refused(live[0][1], now))
        counted: list[str] = []
        delay = 0.0
        for key, limit in limits:
            count = self.records.add(key, now, WINDOW_MS)
            counted.append(key)
            if count > limit:
                until = max((expires for _, expires in self.records.live([key], now)), default=now + WINDOW_MS)
                return Attempt(tuple(counted), self._refused(until, now))
            if key.startswith("pair:") and count > SLOW_AFTER:
                delay = min(MAX_DELAY_SECONDS, 0.25 * 2 ** (count - 1 - SLOW_AFTER))
        return Attempt(tuple(counted), Verdict(False, delay, 0))

    @staticmethod
    def _refused(until: int, now: int) -> Verdict:
        return Verdict(True, 0.0, max(1, (until - now) // 1000))

    def wait(self, verdict: Verdict) -> None:
        """Sleep this greenlet for the verdict's delay (others keep running)."""
        if verdict.delay:
            concurrency.sleep(verdict.delay)

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: forget the pair's attempts and give the others back."""
        now = curtime()
        pair, *others = attempt.keys
        self.records.clear(pair)
        for key in others:
            self.records.add(key, now, WINDOW_MS, by=-1)
