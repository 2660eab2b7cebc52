"""Time as integer milliseconds since the epoch (UTC), and in people's words."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def curtime() -> int:
    """Now, in milliseconds since the epoch."""
    return int(time.time() * 1000)


def to_datetime(ms: int) -> datetime:
    """A timezone-aware UTC datetime for a millisecond timestamp."""
    return datetime.fromtimestamp(ms / 1000, UTC)


def isoformat(ms: int) -> str:
    """A millisecond timestamp as ISO 8601 in UTC, to the second (for ``<time datetime>``)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ms // 1000))  # a third cheaper than datetime's


def calendar_day(ms: int) -> str:
    """The day of ``ms`` (UTC) as a person reads it: "7 December 2026"."""
    moment = to_datetime(ms)
    return f"{moment.day} {moment:%B %Y}"


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'} ago"


def prettydate(ms: int, now: int | None = None) -> str:
    """Say how long ago ``ms`` was: "just now", "5 minutes ago", "3 days ago"..."""
    seconds = max(0, ((curtime() if now is None else now) - ms) // 1000)
    if seconds < 45:
        return "just now"
    minutes = (seconds + 30) // 60
    if minutes < 60:
        return _plural(max(1, minutes), "minute")
    hours = (seconds + 1800) // 3600
    if hours < 24:
        return _plural(hours, "hour")
    days = (seconds + 43200) // 86400
    if days == 1:
        return "yesterday"
    if days < 31:
        return _plural(days, "day")
    if days < 365:
        return _plural(max(1, days // 30), "month")
    return _plural(days // 365, "year")
