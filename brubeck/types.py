"""The interfaces modules need of the application, so that they need not import it.

Connections feed an :class:`Application`; handlers serve a :class:`HandlerApplication`.  Both are
what :class:`~brubeck.application.Brubeck` is.
"""

from __future__ import annotations

from typing import Any, Protocol

from .longpoll import WaitingRoom
from .request import Request
from .responses import Response


class Application(Protocol):
    """What :class:`~brubeck.application.Brubeck` offers the connections that feed it."""

    def handle(self, request: Request) -> Response | None:
        """Answer one request; ``None`` means it is held open."""

    def on_disconnect(self, request: Request) -> None:
        """Forget what waits for a client that went away."""


class HandlerApplication(Protocol):
    """What :class:`~brubeck.application.Brubeck` offers the handlers it runs (``self.application``)."""

    db_conn: Any
    settings: dict[str, Any]
    cookie_secret: str | bytes | None
    cookie_max_age: int
    cookie_secure: bool
    csrf_protection: bool
    login_url: str
    apis: dict[str, Any]

    @property
    def template_env(self) -> Any:
        """The template environment, or ``None``."""

    def template_env_for(self, handler_class: type) -> Any:
        """The template environment ``handler_class`` renders with, or ``None``."""

    def waiting_room(self, name: str) -> WaitingRoom:
        """The named room where held requests wait."""

    def release(self, room: str, key: str, response: Response) -> int:
        """Answer every request held under ``key`` in ``room``; how many there were."""
