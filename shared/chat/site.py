"""A chat site's application and handlers: a site with a :class:`~shared.chat.service.Chat` its handlers use
(SpotiChat, no.js)."""

from __future__ import annotations

from typing import Any

from ..settings import Settings, Site
from ..store import UNAVAILABLE as STORE_UNAVAILABLE
from ..store import Store
from ..web import SiteApp, SiteHandler
from .service import UNAVAILABLE as CHAT_UNAVAILABLE
from .service import Chat

UNAVAILABLE_MESSAGE = "The chat is unavailable for a moment (its database cannot be reached). Try again shortly."


class ChatApp(SiteApp):
    """A :class:`~shared.web.SiteApp` with its ``chat``."""

    def __init__(self, config: Settings, site: Site, store: Store, title: str, *, chat: Chat, **brubeck: Any) -> None:
        super().__init__(config, site, store, title, **brubeck)
        self.chat = chat


class UsesChat(SiteHandler):
    """What a chat site's pages and API handlers share: the app's chat, and 503 while Redis (or the store) is
    away."""

    application: ChatApp
    unavailable_errors: tuple[type[BaseException], ...] = (*STORE_UNAVAILABLE, *CHAT_UNAVAILABLE)
    unavailable_message = UNAVAILABLE_MESSAGE

    @property
    def chat(self) -> Chat:
        return self.application.chat
