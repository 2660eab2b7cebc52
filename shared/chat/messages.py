"""Each room's messages: a Redis Stream of the last 1,000, read after a cursor; posting, rate-limited.

The cursor a client holds is the stream id of the last message it saw, so
reading after it is ordered and never skips or repeats a message.  Old
messages are dropped with XDEL (not XADD's MAXLEN, which Redis does not
record): the stream's ``max-deleted-entry-id`` then says whether a cursor
is older than what is kept, and such a cursor gets the oldest kept messages
with ``reset``.  A room idle for ``idle_ms`` expires.  Each write publishes
the room's name on the site's channel (see :mod:`.waiters`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import redis

from brubeck.timekeeping import curtime

from .names import Keys, StreamId, clean_text, format_id, parse_cursor

KEEP = 1000
IDLE_MS = 7 * 24 * 3600 * 1000
LATEST = 50
PAGE = 100
RATE_LIMIT = 5
RATE_WINDOW_MS = 10_000

# KEYS: messages, rate; ARGV: now, user, text, type, keep, idle_ms, limit (0: none), window_ms, channel, room
APPEND = """
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[7]), tonumber(ARGV[8])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - window)
  if redis.call('ZCARD', KEYS[2]) >= limit then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {'', tostring(tonumber(oldest[2]) + window - now)}
  end
end
local id = redis.call('XADD', KEYS[1], '*', 'user', ARGV[2], 'text', ARGV[3], 'type', ARGV[4])
local excess = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[5])
if excess > 0 then
  for _, entry in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', excess)) do
    redis.call('XDEL', KEYS[1], entry[1])
  end
end
redis.call('PEXPIRE', KEYS[1], ARGV[6])
if limit > 0 then
  redis.call('ZADD', KEYS[2], now, id)
  redis.call('PEXPIRE', KEYS[2], window)
end
redis.call('PUBLISH', ARGV[9], ARGV[10])
return {id, '0'}
"""

# KEYS: messages; ARGV: cursor, count.  Returns {last generated id, max deleted id, entries after the cursor}.
READ_AFTER = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {'0-0', '0-0', {}} end
local info = redis.call('XINFO', 'STREAM', KEYS[1])
local last, deleted = '0-0', '0-0'
for i = 1, #info, 2 do
  if info[i] == 'last-generated-id' then last = info[i + 1] end
  if info[i] == 'max-deleted-entry-id' then deleted = info[i + 1] end
end
return {last, deleted, redis.call('XRANGE', KEYS[1], '(' .. ARGV[1], '+', 'COUNT', ARGV[2])}
"""


class RateLimited(Exception):
    """Too many messages from one user: ``retry_after`` seconds until the next is taken."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Message:
    """One line of a room: ``type`` is "message", or "joined" / "left" (written by the server only)."""

    id: str
    user: str
    text: str
    type: str
    ts: int

    @classmethod
    def from_entry(cls, entry: Any) -> Message:
        """A stream entry: ``(id, {field: value})`` from XRANGE, ``[id, [field, value, ...]]`` from a script."""
        stream_id, fields = entry
        if not isinstance(fields, dict):
            fields = dict(zip(fields[::2], fields[1::2], strict=True))
        return cls(stream_id, fields["user"], fields["text"], fields["type"], int(stream_id.split("-")[0]))

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "user": self.user, "text": self.text, "type": self.type, "ts": self.ts}


@dataclass(frozen=True)
class Page:
    """What a poll gets: messages in order, the cursor to poll with next, and whether history was lost."""

    messages: list[Message]
    cursor: str
    reset: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"messages": [m.to_json() for m in self.messages], "cursor": self.cursor, "reset": self.reset}


class MessageLog:
    """The rooms' messages in Redis (``client`` decodes responses)."""

    def __init__(
        self,
        client: redis.Redis,
        keys: Keys,
        keep: int = KEEP,
        idle_ms: int = IDLE_MS,
        rate_limit: int = RATE_LIMIT,
        rate_window_ms: int = RATE_WINDOW_MS,
    ) -> None:
        self.client, self.keys = client, keys
        self.keep, self.idle_ms = keep, idle_ms
        self.rate_limit, self.rate_window_ms = rate_limit, rate_window_ms
        self._append = client.register_script(APPEND)
        self._read_after = client.register_script(READ_AFTER)

    def post(self, room: str, user: str, text: str) -> Message:
        """Add a user's message (text checked by :func:`.names.clean_text`); :class:`RateLimited` when too many."""
        return self._add(room, user, clean_text(text), "message", self.rate_limit)

    def note(self, room: str, user: str, kind: str) -> Message:
        """Add a server's line ("joined", "left") about ``user``, never rate-limited."""
        return self._add(room, user, f"{user} {kind}", kind, 0)

    def _add(self, room: str, user: str, text: str, kind: str, limit: int) -> Message:
        args: list[str | int] = [curtime(), user, text, kind, self.keep, self.idle_ms, limit]
        args += [self.rate_window_ms, self.keys.channel, room]
        stream_id, wait_ms = self._append(keys=[self.keys.messages(room), self.keys.rate(user)], args=args)
        if not stream_id:
            raise RateLimited(max(1, -(-int(wait_ms) // 1000)))
        return Message(stream_id, user, text, kind, int(stream_id.split("-")[0]))

    def latest(self, room: str) -> Page:
        """The newest messages, oldest first, and the cursor after them ("0-0" in an empty room)."""
        entries = self.client.xrevrange(self.keys.messages(room), count=LATEST) or []
        messages = [Message.from_entry(entry) for entry in reversed(entries)]
        return Page(messages, messages[-1].id if messages else "0-0")

    def after(self, room: str, cursor: str) -> Page:
        """Up to 100 messages after ``cursor``; from the oldest kept with ``reset`` if it is older than those
        (or unknown here).  Raises :class:`.names.BadInput` for a cursor that is not a stream id."""
        seen = parse_cursor(cursor)
        last, deleted, entries = self._read_after(keys=[self.keys.messages(room)], args=[format_id(seen), PAGE])
        if seen < _id(deleted) or seen > _id(last):
            oldest = self.client.xrange(self.keys.messages(room), count=PAGE) or []
            messages = [Message.from_entry(entry) for entry in oldest]
            return Page(messages, messages[-1].id if messages else "0-0", reset=True)
        messages = [Message.from_entry(entry) for entry in entries]
        return Page(messages, messages[-1].id if messages else format_id(seen))


def _id(raw: str) -> StreamId:
    ms, _, seq = raw.partition("-")
    return int(ms), int(seq)
