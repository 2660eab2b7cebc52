"""Login throttling: the failed-login records in the database, shared by every process.

Failures are counted per username and per client address over a window.
After ``SLOW_AFTER`` failures each attempt waits a little longer; after
``REFUSE_AFTER`` attempts are refused until the window ends.  A successful
login clears the username's count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from brubeck import concurrency
from brubeck.timekeeping import curtime

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
    """Counts failed logins in the ``login_failures`` collection."""

    def __init__(self, db: Any) -> None:
        self.collection = db.login_failures

    @staticmethod
    def keys(username: str, address: str) -> list[str]:
        keys = [f"user:{username.strip().lower()}"]
        if address:
            keys.append(f"addr:{address}")
        return keys

    def _counts(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        found = []
        for document in self.collection.find({"_id": {"$in": keys}}):
            if document.get("expires_at", 0) > now:
                found.append((int(document.get("count", 0)), int(document["expires_at"])))
        return found

    def check(self, username: str, address: str) -> Verdict:
        """Whether to refuse this attempt, or how long to make it wait."""
        now = curtime()
        counts = self._counts(self.keys(username, address), now)
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
            counted = self.collection.update_one({"_id": key, "expires_at": {"$gt": now}}, {"$inc": {"count": 1}})
            if not counted.matched_count:  # no live window: start one
                # The _id is repeated: montydb's upsert does not take it from the filter.
                self.collection.replace_one(
                    {"_id": key}, {"_id": key, "count": 1, "expires_at": now + WINDOW_MS}, upsert=True
                )

    def succeeded(self, username: str) -> None:
        """Forget the username's failures."""
        self.collection.delete_one({"_id": self.keys(username, "")[0]})
