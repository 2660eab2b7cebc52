"""The chat core the suite's chat sites share: rooms, messages and presence in Redis, long-poll wake-ups.

- :mod:`.names`: what is accepted (room names, cursors, message text) and the Redis keys of a room.
- :mod:`.messages`: each room's messages in a bounded Redis Stream, read after a cursor; posting, rate-limited.
- :mod:`.presence`: who is in a room, refreshed by their polls; who left.
- :mod:`.waiters`: one Redis subscription per process that answers the process's held polls, in bulk.
- :mod:`.service`: :class:`~.service.Chat`, all of it on one Redis connection, and its housekeeping.
- :mod:`.departures`: a deleted account leaves every room of every chat site at once.
"""
