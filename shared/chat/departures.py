"""An account deleted on any site of the suite leaves every room of every chat site at once.

Each chat site notes its namespace on its Redis (:data:`.names.CHAT_SITES`) when someone joins one of its
rooms, so any site's process (Listsurf's and Readify's too, which have no chat of their own) finds them all
on the Redis its settings name, and takes the account out of each room it is in, with a "left" line, as the
sweep would a minute later.  Its messages stay, under its name (kept from new accounts for 30 days).
"""

from __future__ import annotations

import logging

import redis

from ..settings import ChatSettings
from .names import CHAT_SITES
from .service import Chat, connect

log = logging.getLogger("shared.chat")


def leave_every_chat(settings: ChatSettings, user: str) -> list[tuple[str, str]]:
    """Take ``user`` out of every room of every chat site on the settings' Redis; ``(site, room)`` for each
    room they left.  When Redis cannot do it (down, full, a bad address), nothing, logged: their presence then
    ends within ``presence_ttl``, since nothing of theirs polls any more."""
    client: redis.Redis | None = None
    try:
        client = connect(settings.redis_url, max_connections=1)
        sites = sorted(str(site) for site in client.smembers(CHAT_SITES))
        return [(site, room) for site in sites for room in Chat(client, site).remove_user(user)]
    except (redis.RedisError, ValueError) as error:  # ValueError: an address that is not one
        log.warning("%s is not taken out of the chat rooms: Redis could not do it (%s)", user, error)
        return []
    finally:
        if client is not None:
            client.connection_pool.disconnect()
