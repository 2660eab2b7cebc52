"""no.js's routes and application."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from brubeck.templating import Jinja2Rendering, MustacheRendering, load_mustache_env
from shared.accounts import account_routes
from shared.chat.service import Chat, open_chat
from shared.chat.site import ChatApp
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp, make_app, template_env

from .pages import (
    POLICY,
    EarlierHandler,
    HomeHandler,
    JoinHandler,
    MessagesHandler,
    NoJSPage,
    RoomHandler,
    SayHandler,
)
from .view import view_response

ROOM = r"(?P<room>[a-z0-9_-]{1,64})"
ROUTES = [
    (r"/$", HomeHandler),
    (rf"/rooms/{ROOM}$", RoomHandler),
    (rf"/rooms/{ROOM}/messages$", MessagesHandler),
    (rf"/rooms/{ROOM}/earlier$", EarlierHandler),
    (rf"/rooms/{ROOM}/say$", SayHandler),
    (rf"/rooms/{ROOM}/join$", JoinHandler),
    *account_routes(POLICY),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"
NAMESPACE = "nojs"


def create_app(settings: Settings, store: Store | None = None, chat: Chat | None = None) -> SiteApp:
    """no.js on ``settings``, with ``store`` and ``chat`` (defaults: the database and the Redis the settings
    name).  Its pages are Mustache templates; the shared account pages keep their Jinja2 ones."""
    chat = chat or open_chat(settings.chat, NAMESPACE)
    templates = {MustacheRendering: load_mustache_env(str(TEMPLATES)), Jinja2Rendering: template_env(TEMPLATES)}
    app = make_app(
        settings,
        "nojs",
        "no.js",
        ROUTES,
        None,
        store,
        app_class=ChatApp,
        chat=chat,
        template_loader=templates,
        base_handler=NoJSPage,
    )
    chat.serve(app, partial(view_response, app, chat))
    return app
