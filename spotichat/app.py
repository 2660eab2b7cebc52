"""SpotiChat's routes and application."""

from __future__ import annotations

from pathlib import Path

from shared.accounts import account_routes
from shared.chat.service import Chat, open_chat
from shared.chat.site import ChatApp
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp, make_app

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


def create_app(settings: Settings, store: Store | None = None, chat: Chat | None = None) -> SiteApp:
    """SpotiChat on ``settings``, with ``store`` and ``chat`` (defaults: the database and the Redis the
    settings name, with their chat bounds)."""
    chat = chat or open_chat(settings.chat, NAMESPACE)
    app = make_app(settings, "spotichat", "SpotiChat", ROUTES, TEMPLATES, store, app_class=ChatApp, chat=chat)
    chat.serve(app, page_response)
    app.api_example = f"{app.site.url}/api/rooms"
    return app
