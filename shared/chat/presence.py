"""Who is in a room: each poll refreshes its user; a user not seen for ``ttl_ms`` is gone.

Each room's listeners are a sorted set (user -> last poll, ms), and the site's
rooms another (room -> last poll in it), for the busiest-rooms list and the
sweep.  A user counts as joined when a poll adds them to the set, and as left
when :meth:`Presence.sweep` takes them out; both steps are atomic in Redis, so
with any number of processes each join and each leave is seen exactly once.
"""

from __future__ import annotations

import redis

from brubeck.timekeeping import curtime

from .names import Keys

TTL_MS = 60_000
CANDIDATES = 500  # the most recently polled rooms the busiest-rooms list is chosen from

# KEYS: presence, rooms; ARGV: now, ttl_ms, room.  Returns the users not seen since now - ttl_ms, removed.
SWEEP = """
local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff) end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[3]) end
return gone
"""


class Presence:
    """Listeners of the site's rooms (``client`` decodes responses)."""

    def __init__(self, client: redis.Redis, keys: Keys, ttl_ms: int = TTL_MS) -> None:
        self.client, self.keys, self.ttl_ms = client, keys, ttl_ms
        self._sweep = client.register_script(SWEEP)

    def seen(self, room: str, user: str) -> bool:
        """Note that ``user`` polled ``room`` now; True when that makes them join it."""
        now = curtime()
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.keys.presence(room), {user: now})
        pipe.pexpire(self.keys.presence(room), 2 * self.ttl_ms)
        pipe.zadd(self.keys.rooms, {room: now})
        added, _, _ = pipe.execute()
        return bool(added)

    def listeners(self, room: str) -> list[str]:
        """Who polled ``room`` within ``ttl_ms``, in name order."""
        return sorted(_names(self.client.zrangebyscore(self.keys.presence(room), curtime() - self.ttl_ms, "+inf")))

    def busiest(self, limit: int = 20) -> list[tuple[str, int]]:
        """The rooms with the most listeners, each with how many (most first, then by name)."""
        since = curtime() - self.ttl_ms
        rooms = _names(self.client.zrevrangebyscore(self.keys.rooms, "+inf", since, start=0, num=CANDIDATES))
        pipe = self.client.pipeline(transaction=False)
        for room in rooms:
            pipe.zcount(self.keys.presence(room), since, "+inf")
        counts = [(room, int(count)) for room, count in zip(rooms, pipe.execute(), strict=True) if count]
        return sorted(counts, key=lambda item: (-item[1], item[0]))[:limit]

    def sweep(self) -> list[tuple[str, str]]:
        """Take out everyone not seen within ``ttl_ms``: ``(room, user)`` for each who left."""
        now = curtime()
        left = []
        for room in _names(self.client.zrangebyscore(self.keys.rooms, "-inf", "+inf")):
            keys = [self.keys.presence(room), self.keys.rooms]
            left += [(room, user) for user in self._sweep(keys=keys, args=[now, self.ttl_ms, room])]
        return left


def _names(members: object) -> list[str]:
    """The members a sorted-set range returned (the client decodes them to text)."""
    return [str(member) for member in members] if isinstance(members, list) else []
