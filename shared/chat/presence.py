"""Who is in a room: a user joins with an explicit POST, each poll of theirs then keeps them there; a user
not seen for ``ttl_ms`` is gone.

Each room's listeners are a sorted set (user -> last poll, ms), and the site's
rooms another (room -> last poll in it), for the busiest-rooms list and the
sweep.  A user counts as joined when :meth:`Presence.seen` adds them to the set (a
poll only refreshes a user already there: :meth:`Presence.refresh`), and as left
when :meth:`Presence.sweep` takes them out; both steps are atomic in Redis, so
with any number of processes each join and each leave is seen exactly once.
"""

from __future__ import annotations

import redis

from brubeck.timekeeping import curtime

from .names import CHAT_SITES, Keys

TTL_MS = 60_000
ROOMS_PER_ACCOUNT = 5
"""The most rooms one user is in at once: joining one more leaves the one they were seen in least lately,
so that one account counts as one person in a few rooms, and cannot fill the busiest-rooms list."""
CANDIDATES = 500  # the most recently polled rooms the busiest-rooms list is chosen from

# KEYS: presence, rooms; ARGV: now, ttl_ms, room.  Returns the users not seen since now - ttl_ms, removed
# (it only takes out: allowed while Redis is full).
SWEEP = """#!lua flags=allow-oom
local cutoff = tonumber(ARGV[1]) - tonumber(ARGV[2])
local gone = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff)
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. cutoff) end
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('ZREM', KEYS[2], ARGV[3]) end
return gone
"""


# KEYS: presence, rooms, user's rooms; ARGV: now, user, expiry_ms, room.  Refreshes a user already in the
# room; 1 if so.  It changes scores of what is there (allowed while Redis is full, so polls go on reading).
REFRESH = """#!lua flags=allow-oom
if not redis.call('ZSCORE', KEYS[1], ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[1], ARGV[4])
redis.call('ZADD', KEYS[3], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[3], ARGV[3])
return 1
"""


class Presence:
    """Listeners of the site's rooms (``client`` decodes responses)."""

    def __init__(
        self, client: redis.Redis, keys: Keys, ttl_ms: int = TTL_MS, rooms_per_account: int = ROOMS_PER_ACCOUNT
    ) -> None:
        self.client, self.keys, self.ttl_ms, self.rooms_per_account = client, keys, ttl_ms, rooms_per_account
        self._sweep = client.register_script(SWEEP)
        self._refresh = client.register_script(REFRESH)

    def seen(self, room: str, user: str) -> bool:
        """Note that ``user`` is in ``room`` now (they joined it, or posted); True when that makes them join."""
        now = curtime()
        pipe = self.client.pipeline(transaction=True)
        pipe.zadd(self.keys.presence(room), {user: now})
        pipe.pexpire(self.keys.presence(room), 2 * self.ttl_ms)
        pipe.zadd(self.keys.rooms, {room: now})
        pipe.zadd(self.keys.user_rooms(user), {room: now})
        pipe.pexpire(self.keys.user_rooms(user), 2 * self.ttl_ms)
        pipe.sadd(CHAT_SITES, self.keys.namespace)
        added, *_ = pipe.execute()
        return bool(added)

    def rooms_of(self, user: str) -> list[str]:
        """The rooms ``user`` is in (seen there within twice ``ttl_ms``: those the sweep has not taken them out of)."""
        return _names(self.client.zrange(self.keys.user_rooms(user), 0, -1))

    def overflow(self, user: str) -> list[str]:
        """The rooms ``user`` is in beyond ``rooms_per_account``, seen there least lately first."""
        return _names(self.client.zrange(self.keys.user_rooms(user), 0, -(self.rooms_per_account + 1)))

    def forget(self, room: str, user: str) -> bool:
        """Take ``user`` out of ``room`` (no line written); whether they were in it."""
        pipe = self.client.pipeline(transaction=True)
        pipe.zrem(self.keys.presence(room), user)
        pipe.zrem(self.keys.user_rooms(user), room)
        removed, _ = pipe.execute()
        return bool(removed)

    def refresh(self, room: str, user: str) -> bool:
        """Note that ``user`` polled ``room`` now, if they are in it (a poll never joins); whether they are."""
        keys = [self.keys.presence(room), self.keys.rooms, self.keys.user_rooms(user)]
        return bool(self._refresh(keys=keys, args=[curtime(), user, 2 * self.ttl_ms, room]))

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
        if left:
            pipe = self.client.pipeline(transaction=False)
            for room, user in left:
                pipe.zrem(self.keys.user_rooms(user), room)
            pipe.execute()
        return left


def _names(members: object) -> list[str]:
    """The members a sorted-set range returned (the client decodes them to text)."""
    return [str(member) for member in members] if isinstance(members, list) else []
