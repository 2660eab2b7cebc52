"""A chat site's application: a site with a :class:`~shared.chat.service.Chat` its handlers use."""

from __future__ import annotations

from typing import Any

from ..settings import Settings, Site
from ..store import Store
from ..web import SiteApp
from .service import Chat


class ChatApp(SiteApp):
    """A :class:`~shared.web.SiteApp` with its ``chat``."""

    def __init__(self, config: Settings, site: Site, store: Store, title: str, *, chat: Chat, **brubeck: Any) -> None:
        super().__init__(config, site, store, title, **brubeck)
        self.chat = chat
