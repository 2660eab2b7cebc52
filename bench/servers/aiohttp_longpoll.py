"""The long-poll peer: SpotiChat's poll in aiohttp, woken by the same Redis pub/sub.

    python -m bench.servers.aiohttp_longpoll PORT REDIS_URL

``GET /api/rooms/<room>/messages?cursor=C`` answers the room's messages after ``C`` at once when there are
any, else waits on an asyncio future shared by every poll of that room and cursor; the one subscription
to SpotiChat's channel (each post publishes its room there) reads the room once per cursor and resolves
the future with the rendered page, as SpotiChat's :mod:`shared.chat.waiters` does.  No sign-in (SpotiChat
checks the session while a poll arrives, not when it is answered).  ``GET /held`` says how many wait.
"""

from __future__ import annotations

import asyncio
import json
import sys

import redis.asyncio as aioredis
from aiohttp import web

from shared.chat.messages import Message, Page
from shared.chat.names import Keys, format_id, parse_cursor

TIMEOUT = 120.0
NAMESPACE = "spotichat"
MAX_CONNECTIONS = 32  # to Redis, as SpotiChat's pool (shared.chat.service.connect): polls wait for one


class Rooms:
    """The polls held, by room and cursor, and the subscription that answers them."""

    def __init__(self, client: aioredis.Redis) -> None:
        self.client, self.keys = client, Keys(NAMESPACE)
        self.held: dict[str, dict[str, asyncio.Future[bytes]]] = {}
        self.wakes: dict[str, int] = {}
        self.waiting = 0

    async def read(self, room: str, cursor: str) -> bytes | None:
        """The page after ``cursor``, rendered; ``None`` when nothing is new."""
        entries = await self.client.xrange(self.keys.messages(room), f"({cursor}", "+", count=100)
        if not entries:
            return None
        messages = [Message.from_entry(entry) for entry in entries]
        return json.dumps(Page(messages, format_id(parse_cursor(messages[-1].id))).to_json()).encode()

    async def poll(self, request: web.Request) -> web.Response:
        room, seen = request.match_info["room"], format_id(parse_cursor(request.query["cursor"]))
        while True:
            mark = self.wakes.get(room, 0)
            body = await self.read(room, seen)
            if body is not None:
                return web.Response(body=body, content_type="application/json")
            if self.wakes.get(room, 0) == mark:
                break
        cursors = self.held.setdefault(room, {})
        future = cursors.get(seen)
        if future is None:
            future = cursors[seen] = asyncio.get_running_loop().create_future()
        self.waiting += 1
        try:
            async with asyncio.timeout(TIMEOUT):
                body = await asyncio.shield(future)
        except TimeoutError:
            body = json.dumps(Page([], seen).to_json()).encode()
        finally:
            self.waiting -= 1
        return web.Response(body=body, content_type="application/json")

    async def count(self, request: web.Request) -> web.Response:
        return web.Response(text=str(self.waiting))

    async def listen(self, subscribed: asyncio.Event) -> None:
        pubsub = self.client.pubsub()
        await pubsub.subscribe(self.keys.channel)
        subscribed.set()
        async for message in pubsub.listen():
            if message["type"] == "message":
                room = message["data"]
                self.wakes[room] = self.wakes.get(room, 0) + 1
                asyncio.ensure_future(self.wake(room))

    async def wake(self, room: str) -> None:
        for cursor, future in list(self.held.pop(room, {}).items()):
            body = await self.read(room, cursor)
            if body is None:
                self.held.setdefault(room, {})[cursor] = future
            elif not future.done():
                future.set_result(body)


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__)
    pool = aioredis.BlockingConnectionPool.from_url(argv[1], max_connections=MAX_CONNECTIONS, decode_responses=True)
    rooms = Rooms(aioredis.Redis(connection_pool=pool))

    async def subscribe(app: web.Application) -> None:
        subscribed = asyncio.Event()
        app["listener"] = asyncio.ensure_future(rooms.listen(subscribed))
        await subscribed.wait()

    app = web.Application()
    app.router.add_get("/api/rooms/{room}/messages", rooms.poll)
    app.router.add_get("/held", rooms.count)
    app.on_startup.append(subscribe)
    web.run_app(app, host="127.0.0.1", port=int(argv[0]), print=None, backlog=4096)


if __name__ == "__main__":
    main(sys.argv[1:])
