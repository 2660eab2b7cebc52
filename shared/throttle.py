"""Login throttling: the failed-login records in the database, shared by every process.

Failures are counted per username and per client address over a window.
After ``SLOW_AFTER`` failures each attempt waits a little longer; after
``REFUSE_AFTER`` attempts are refused until the window ends.  A successful
login clears the username's count.
"""

from __future__ import annotations

from dataclasses import dataclass

from brubeck import concurrency
from brubeck.timekeeping import curtime

from .store import Store

WINDOW_MS = 15 * 60 * 1000
SLOW_AFTER = 5
REFUSE_AFTER = 10
MAX_DELAY_SECONDS = 4.0


@dataclass(frozen=True)
class Verdict:
    """What to do with a login attempt."""

    refused: bool
    delay: float
    retry_after_s: int


class LoginThrottle:
    """Counts failed logins in the store's login-failure records."""

    def __init__(self, store: Store) -> None:
        self.failures = store.login_failures

    @staticmethod
    def keys(username: str, address: str) -> list[str]:
        keys = [f"user:{username.strip().lower()}"]
        if address:
            keys.append(f"addr:{address}")
        return keys

    def check(self, username: str, address: str) -> Verdict:
        """Whether to refuse this attempt, or how long to make it wait."""
        now = curtime()
        counts = self.failures.live(self.keys(username, address), now)
        worst = max((count for count, _ in counts), default=0)
        if worst >= REFUSE_AFTER:
            until = max(expires for count, expires in counts if count >= REFUSE_AFTER)
            return Verdict(True, 0.0, max(1, (until - now) // 1000))
        delay = min(MAX_DELAY_SECONDS, 0.25 * 2 ** (worst - SLOW_AFTER)) if worst >= SLOW_AFTER else 0.0
        return Verdict(False, delay, 0)

    def wait(self, verdict: Verdict) -> None:
        """Sleep this greenlet for the verdict's delay (others keep running)."""
        if verdict.delay:
            concurrency.sleep(verdict.delay)

    def failed(self, username: str, address: str) -> None:
        """Count a failure for the username and the address."""
        now = curtime()
        for key in self.keys(username, address):
            self.failures.add(key, now, WINDOW_MS)

    def succeeded(self, username: str) -> None:
        """Forget the username's failures."""
        self.failures.clear(self.keys(username, "")[0])
