"""The interface a connection needs of an application (so that connections need not import it)."""

from __future__ import annotations

from typing import Protocol

from .request import Request
from .responses import Response


class Application(Protocol):
    """What :class:`~brubeck.request_handling.Brubeck` offers the connections that feed it."""

    def handle(self, request: Request) -> Response | None:
        """Answer one request; ``None`` means it is held open."""

    def on_disconnect(self, request: Request) -> None:
        """Forget what waits for a client that went away."""
