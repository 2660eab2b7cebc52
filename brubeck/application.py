"""The application: ``Brubeck(**config).run()``.

:class:`Brubeck` holds the routing table, the template engine, the long-poll rooms and the
settings its handlers read; it answers each request through the handler or function its route
names, logs one line per request, and serves on a connection (Mongrel2's, or WSGI: the app is
also a WSGI callable).
"""

from __future__ import annotations

import gc
import logging
import signal
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, cast

from . import concurrency, wsgi
from .cookies import DEFAULT_MAX_AGE
from .exceptions import HTTPError
from .handlers import MessageHandler, WebMessageHandler
from .longpoll import WaitingRoom
from .mongrel2 import Mongrel2Connection
from .request import Request
from .responses import Response, http_response, plain_text
from .routing import Match, Router
from .template_engines import engine_for

__all__ = ["Brubeck"]

F = TypeVar("F", bound=Callable[..., Any])
log = logging.getLogger("brubeck")
access_log = logging.getLogger("brubeck.access")


class Brubeck:
    """The application: routes, settings, and the connection it serves on.

    ``Brubeck(msg_conn=..., handler_tuples=[...], ...).run()``.  The app is
    also a WSGI callable.
    """

    def __init__(
        self,
        msg_conn: Any = None,
        mongrel2_pair: tuple[str, str] | None = None,
        handler_tuples: list[tuple[str, Any]] | None = None,
        template_loader: Any = None,
        cookie_secret: str | bytes | None = None,
        login_url: str = "/login",
        db_conn: Any = None,
        base_handler: type[MessageHandler] | None = None,
        log_level: int | None = None,
        cookie_max_age: int = DEFAULT_MAX_AGE,
        cookie_secure: bool = False,
        csrf_protection: bool = True,
        **settings: Any,
    ) -> None:
        if msg_conn is None and mongrel2_pair is not None:
            msg_conn = Mongrel2Connection(*mongrel2_pair)
        self.msg_conn = msg_conn
        self.template_loader = template_loader
        self._template_env: Any = None
        self._template_envs: dict[type, Any] = {}
        self.cookie_secret = cookie_secret
        self.login_url = login_url
        self.db_conn = db_conn
        self.base_handler = base_handler or WebMessageHandler
        self.cookie_max_age = cookie_max_age
        self.cookie_secure = cookie_secure
        self.csrf_protection = csrf_protection
        self.settings = settings
        self.router = Router()
        self.apis: dict[str, Any] = {}
        """The AutoAPI classes registered with :meth:`register_api`, by URL prefix."""
        self._rooms: dict[str, WaitingRoom] = {}
        if log_level is not None:
            logging.getLogger("brubeck").setLevel(log_level)
        for pattern, target in handler_tuples or []:
            self.add_route_rule(pattern, target)

    # -- routes ------------------------------------------------------------------------
    def add_route_rule(self, pattern: str, kallable: Any, method: str | list[str] | None = None) -> None:
        """Route ``pattern`` to a handler class or a function."""
        if isinstance(kallable, type) and issubclass(kallable, MessageHandler):
            self.router.add_handler(pattern, kallable)
        else:
            methods = [method] if isinstance(method, str) else list(method or ["GET"])
            self.router.add_function(pattern, kallable, methods)

    def add_route(self, url_pattern: str, method: str | list[str] | None = None) -> Callable[[F], F]:
        """Decorator: ``@app.add_route('^/x$', method='GET')`` on ``fn(app, request, *args)``."""

        def decorator(kallable: F) -> F:
            self.add_route_rule(url_pattern, kallable, method)
            return kallable

        return decorator

    def register_api(self, api_class: Any, prefix: str | None = None) -> None:
        """Serve an :class:`~brubeck.autoapi.AutoAPIBase` API at ``prefix`` (``/<model name>`` by default)."""
        api_class.register(self, prefix)

    # -- templates ----------------------------------------------------------------------------
    @property
    def template_env(self) -> Any:
        """The template environment: ``template_loader``, or what it returns when it is a function (with one
        environment per rendering class, the first)."""
        if isinstance(self.template_loader, Mapping):
            return self.template_env_for(next(iter(self.template_loader), object))
        if self._template_env is None and self.template_loader is not None:
            loader = self.template_loader
            self._template_env = loader() if callable(loader) else loader
        return self._template_env

    def template_env_for(self, handler_class: type) -> Any:
        """The environment ``handler_class`` renders with: with a ``template_loader`` mapping rendering classes
        to environments (``{MustacheRendering: ..., Jinja2Rendering: ...}``, for a site whose pages use two
        engines), the one of the first class of its bases there; else :attr:`template_env`."""
        loaders = self.template_loader
        if not isinstance(loaders, Mapping):
            return self.template_env
        for base in handler_class.__mro__:
            if base in loaders:
                if base not in self._template_envs:
                    loader = loaders[base]
                    self._template_envs[base] = loader() if callable(loader) else loader
                return self._template_envs[base]
        return None

    def render_template(self, template_file: str, **context: Any) -> str:
        """A template rendered to text, for function routes (handlers use their own ``render_template``)."""
        env = self.template_env
        if env is None:
            raise ValueError("render_template needs Brubeck(template_loader=...)")
        return engine_for(env).render(env, template_file, context)

    # -- long-polling ---------------------------------------------------------------------
    def waiting_room(self, name: str) -> WaitingRoom:
        """The named room where held requests wait (created on first use)."""
        room = self._rooms.get(name)
        if room is None:
            room = self._rooms[name] = WaitingRoom(self.msg_conn)
        return room

    def release(self, room: str, key: str, response: Response) -> int:
        """Answer every request held under ``key`` with one response; returns how many."""
        return self.waiting_room(room).release(key, response)

    def on_disconnect(self, request: Request) -> None:
        """Forget held requests of a client that went away."""
        for room in self._rooms.values():
            room.forget(request.sender, request.conn_id)

    # -- handling ---------------------------------------------------------------------------
    def _error(self, request: Request, handler_class: type[MessageHandler], error: HTTPError) -> Response:
        return handler_class(self, request)._error_response(error)

    def _run_function(self, function: Callable[..., Any], request: Request, match: Match) -> Response:
        try:
            result = function(self, request, *match.args, **match.kwargs)
        except HTTPError as error:
            return self._error(request, self.base_handler, error)
        except Exception:
            log.exception("Unhandled error in %s for %s %s", function.__name__, request.method, request.path)
            return self._error(request, self.base_handler, HTTPError(500))
        if isinstance(result, Response):
            return result
        return http_response(result if isinstance(result, (bytes, str)) else str(result))

    def handle(self, request: Request) -> Response | None:
        """Route and answer one request; ``None`` means it is held open."""
        logged = access_log.isEnabledFor(logging.INFO)
        started = time.perf_counter() if logged else 0.0
        try:
            response = self._answer(request)
        except Exception:  # e.g. a handler's initialize(): the client must still get an answer
            log.exception("Unhandled error answering %s %s", request.method, request.path)
            response = plain_text(500)
        if logged:
            access_log.info(
                "%s %s %s %.1fms",
                request.method,
                request.path,
                response.status if response is not None else "held",
                (time.perf_counter() - started) * 1000,
            )
        return response

    def _answer(self, request: Request) -> Response | None:
        match = self.router.match(request.path)
        if match is None:
            return self._error(request, self.base_handler, HTTPError(404))
        route = match.route
        allowed, handler_class = route.methods, route.handler
        if request.method not in allowed:
            headers = {"Allow": ", ".join(allowed)}
            error_handler = cast(type[MessageHandler] | None, handler_class)  # add_route_rule routes only these
            return self._error(request, error_handler or self.base_handler, HTTPError(405, headers=headers))
        if handler_class is not None:
            return handler_class(self, request, *match.args, **match.kwargs)()
        if request.method == "OPTIONS" and "OPTIONS" not in route.functions:
            return Response(b"", 204, headers={"Allow": ", ".join(allowed)})
        method = "GET" if request.method == "HEAD" and "HEAD" not in route.functions else request.method
        return self._run_function(route.functions[method], request, match)

    # -- serving ----------------------------------------------------------------------------------
    def run(self) -> None:
        """Serve on ``msg_conn`` until the process is stopped.

        SIGTERM and SIGINT drain a connection that can stop (Mongrel2's): it
        takes no new request and finishes the running ones, held requests get
        their timeout response, the replies are sent, and ``run`` returns.

        What start-up made (modules, classes, templates) is moved out of the
        garbage collector's sight first (``gc.freeze``): it lives as long as the
        process, and a full collection scanning it cost about 50 ms, the
        slowest requests' time.
        """
        conn = self.msg_conn
        if conn is None:
            raise ValueError("Brubeck needs msg_conn (or mongrel2_pair) to run")
        gc.collect()
        gc.freeze()
        if not hasattr(conn, "stop"):
            try:
                conn.process_messages(self)
            except KeyboardInterrupt:
                log.info("Interrupted; stopping")
            return
        for signum in (signal.SIGTERM, signal.SIGINT):
            concurrency.on_signal(signum, conn.stop)
        conn.process_messages(self)  # returns once stopped and the running requests are done
        for room in self._rooms.values():
            room.expire_all()
        conn.close()
        log.info("Stopped")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The WSGI entry point (gunicorn: ``module:app``)."""
        return wsgi.respond(self, environ, start_response)
