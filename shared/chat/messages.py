"""Each room's messages: a Redis Stream of the last 1,000, read after a cursor; posting, rate-limited.

The cursor a client holds is the stream id of the last message it saw, so
reading after it is ordered and never skips or repeats a message.  Old
messages are dropped with XDEL (not XADD's MAXLEN, which Redis does not
record): the stream's ``max-deleted-entry-id`` then says whether a cursor
is older than what is kept, and such a cursor gets the oldest kept messages
with ``reset``.  A room idle for ``idle_ms`` expires.  Each write publishes
the room's name on the site's channel (see :mod:`.waiters`).

The scripts declare what they do (``#!lua``, Redis 7): one that writes is refused whole while Redis is
over its ``maxmemory`` (an undeclared script that had written once could go on writing), one that only
reads still runs.
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
NEW_ROOMS = 60
NEW_ROOMS_WINDOW_MS = 3600 * 1000
"""One user makes at most ``NEW_ROOMS`` rooms (a first line: joining or posting in a room no one has used)
an hour: each room is a stream Redis keeps for a week."""

# KEYS: messages, rate, new rooms; ARGV: now, user, text, type, keep, idle_ms, limit (0: none), window_ms, channel,
# room, new rooms limit (0: none), new rooms window_ms.  Returns {id, ''} or {'', ms to wait, what was over}.
APPEND = """#!lua
local now, limit, window = tonumber(ARGV[1]), tonumber(ARGV[7]), tonumber(ARGV[8])
local rooms_limit, rooms_window = tonumber(ARGV[11]), tonumber(ARGV[12])
local function over(key, most, span, what)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - span)
  if redis.call('ZCARD', key) >= most then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return {'', tostring(tonumber(oldest[2]) + span - now), what}
  end
end
if limit > 0 then
  local refused = over(KEYS[2], limit, window, 'messages')
  if refused then return refused end
end
local new_room = rooms_limit > 0 and redis.call('EXISTS', KEYS[1]) == 0
if new_room then
  local refused = over(KEYS[3], rooms_limit, rooms_window, 'rooms')
  if refused then return refused end
end
local id = redis.call('XADD', KEYS[1], '*', 'user', ARGV[2], 'text', ARGV[3], 'type', ARGV[4])
if new_room then
  redis.call('ZADD', KEYS[3], now, ARGV[10])
  redis.call('PEXPIRE', KEYS[3], rooms_window)
end
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
return {id, ''}
"""

# KEYS: messages; ARGV: cursor, count.  Returns {last generated id, max deleted id, entries after the cursor}.
READ_AFTER = """#!lua flags=no-writes
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
    """Too many messages from one user (``what``: "messages"), or too many rooms made by one user in
    ``new_rooms_window_ms`` ("rooms"): ``retry_after`` seconds until the next is taken."""

    def __init__(self, retry_after: int, what: str = "messages") -> None:
        super().__init__(f"too many {what}; retry after {retry_after} s")
        self.retry_after, self.what = retry_after, what

    @property
    def message(self) -> str:
        """What the user is told."""
        if self.what == "rooms":
            minutes = -(-self.retry_after // 60)
            return f"You opened too many new rooms lately: wait {minutes} minute{'s' if minutes != 1 else ''}."
        seconds = self.retry_after
        return f"You are sending messages too fast: wait {seconds} second{'s' if seconds != 1 else ''}."


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
        new_rooms: int = NEW_ROOMS,
        new_rooms_window_ms: int = NEW_ROOMS_WINDOW_MS,
    ) -> None:
        self.client, self.keys = client, keys
        self.keep, self.idle_ms = keep, idle_ms
        self.rate_limit, self.rate_window_ms = rate_limit, rate_window_ms
        self.new_rooms, self.new_rooms_window_ms = new_rooms, new_rooms_window_ms
        self._append = client.register_script(APPEND)
        self._read_after = client.register_script(READ_AFTER)

    def post(self, room: str, user: str, text: str) -> Message:
        """Add a user's message (text checked by :func:`.names.clean_text`); :class:`RateLimited` when too many,
        or when it would make a room and ``user`` made ``new_rooms`` already in the window."""
        return self._add(room, user, clean_text(text), "message", self.rate_limit, self.new_rooms)

    def note(self, room: str, user: str, kind: str) -> Message:
        """Add a server's line about ``user``: "joined" (it may make the room: bounded as a post is, but not
        rate-limited) or "left"."""
        return self._add(room, user, f"{user} {kind}", kind, 0, self.new_rooms if kind == "joined" else 0)

    def _add(self, room: str, user: str, text: str, kind: str, limit: int, new_rooms: int) -> Message:
        args: list[str | int] = [curtime(), user, text, kind, self.keep, self.idle_ms, limit]
        args += [self.rate_window_ms, self.keys.channel, room, new_rooms, self.new_rooms_window_ms]
        keys = [self.keys.messages(room), self.keys.rate(user), self.keys.new_rooms(user)]
        stream_id, wait_ms, *what = self._append(keys=keys, args=args)
        if not stream_id:
            raise RateLimited(max(1, -(-int(wait_ms) // 1000)), *what)
        return Message(stream_id, user, text, kind, int(stream_id.split("-")[0]))

    def latest(self, room: str) -> Page:
        """The newest messages, oldest first, and the cursor after them ("0-0" in an empty room)."""
        entries = self.client.xrevrange(self.keys.messages(room), count=LATEST) or []
        messages = [Message.from_entry(entry) for entry in reversed(entries)]
        return Page(messages, messages[-1].id if messages else "0-0")

    def before(self, room: str, cursor: str, count: int = LATEST) -> Page:
        """Up to ``count`` messages before ``cursor`` (the first message of a page shown), oldest first: a page
        back through the room's history.  ``Page.cursor`` is the first of them (where the next page back
        ends), and ``reset`` says the room keeps none older.  Raises :class:`~brubeck.cursors.BadCursor`."""
        seen = format_id(parse_cursor(cursor))
        entries = self.client.xrevrange(self.keys.messages(room), max=f"({seen}", count=count) or []
        messages = [Message.from_entry(entry) for entry in reversed(entries)]
        return Page(messages, messages[0].id if messages else seen, reset=len(messages) < count)

    def after(self, room: str, cursor: str) -> Page:
        """Up to 100 messages after ``cursor``; from the oldest kept with ``reset`` if it is older than those
        (or unknown here).  Raises :class:`~brubeck.cursors.BadCursor` for a cursor that is not a stream id."""
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
