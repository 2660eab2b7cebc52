"""Where Brubeck's documentation and 0.4's code import the framework from.

The framework lives in modules of one concern each (:mod:`brubeck.application`,
:mod:`brubeck.handlers`, :mod:`brubeck.responses`...); this module gathers the names that
``from brubeck.request_handling import ...`` has always given, so that code written for the
original Brubeck runs unchanged.
"""

from __future__ import annotations

from typing import Any

from . import concurrency
from .application import Brubeck
from .exceptions import HTTPError
from .handlers import JSONMessageHandler, MessageHandler, WebHandling, WebMessageHandler
from .request import Request
from .responses import Response, http_response, render, to_bytes
from .routing import HTTP_METHODS

__all__ = [
    "Brubeck",
    "MessageHandler",
    "WebHandling",
    "WebMessageHandler",
    "JSONMessageHandler",
    "HTTPError",
    "Request",
    "Response",
    "http_response",
    "render",
    "to_bytes",
    "to_unicode",
    "HTTP_METHODS",
    "CORO_LIBRARY",
    "coro_sleep",
    "coro_spawn",
]

CORO_LIBRARY = concurrency.NAME
"""The coroutine library Brubeck runs on: ``gevent`` or ``eventlet``."""
coro_sleep = concurrency.sleep
"""Sleep without holding up the other requests."""


def coro_spawn(function: Any, app: Brubeck, message: Any, *args: Any, **kwargs: Any) -> Any:
    """Run ``function(app, message, *args, **kwargs)`` in a coroutine of its own, as 0.4 did."""
    return concurrency.spawn(function, app, message, *args, **kwargs)


def to_unicode(value: Any, encoding: str = "utf-8") -> str:
    """``value`` as text: bytes decoded from ``encoding``, anything else as ``str``."""
    return value.decode(encoding) if isinstance(value, bytes) else str(value)
