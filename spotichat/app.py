"""SpotiChat's routes and application."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from brubeck.request_handling import Brubeck
from conf import settings as suite
from shared.accounts import account_routes
from shared.chat.service import Chat, connect
from shared.store import Store
from shared.web import make_app

from .api import JoinHandler, ListenersHandler, MessagesHandler, NotFoundHandler, RoomsHandler, page_response
from .pages import HomeHandler, JoinRoomHandler, RoomHandler

TRACK = r"(?P<track>[^/]+)"
ROUTES = [
    (r"/$", HomeHandler),
    (rf"/rooms/{TRACK}$", RoomHandler),
    (rf"/rooms/{TRACK}/join$", JoinRoomHandler),
    (r"/api/rooms$", RoomsHandler),
    (rf"/api/rooms/{TRACK}/messages$", MessagesHandler),
    (rf"/api/rooms/{TRACK}/listeners$", ListenersHandler),
    (rf"/api/rooms/{TRACK}/join$", JoinHandler),
    (r"/api/.*", NotFoundHandler),
    *account_routes(),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAMESPACE = "spotichat"


def create_app(settings: dict[str, Any] | None = None, db: Store | None = None) -> Brubeck:
    """SpotiChat, for Mongrel2, the suite's database and Redis unless ``settings`` and ``db`` say otherwise.

    ``settings`` overrides Brubeck settings; ``chat`` in it is a :class:`~shared.chat.service.Chat`
    (default: on ``REDIS_URL``, with ``CHAT_POLL_TIMEOUT``, ``CHAT_PRESENCE_TTL`` and the ``CHAT_HELD_PER_*`` bounds).
    """
    config = {"site_title": "SpotiChat", **(settings or {})}
    if "chat" not in config:
        config["chat"] = Chat(
            connect(suite.REDIS_URL),
            NAMESPACE,
            poll_timeout=suite.CHAT_POLL_TIMEOUT,
            presence_ttl_ms=int(suite.CHAT_PRESENCE_TTL * 1000),
            held_per_account=suite.CHAT_HELD_PER_ACCOUNT,
            held_per_address=suite.CHAT_HELD_PER_ADDRESS,
            rooms_per_account=suite.CHAT_ROOMS_PER_ACCOUNT,
            new_rooms=suite.CHAT_NEW_ROOMS_PER_HOUR,
        )
    app = make_app("spotichat", ROUTES, TEMPLATES, settings=config, db=db)
    config["chat"].serve(app, page_response)
    return app
