"""Handlers: a class per resource, with ``get``/``post``/... methods, as Brubeck's documentation teaches.

:class:`MessageHandler` runs the request's life cycle (``initialize``, ``prepare``, the method,
``on_finish``) and builds the response; :class:`WebMessageHandler` adds what web pages need
(arguments, cookies, redirects, CSRF, templates) and :class:`JSONMessageHandler` answers in JSON.
The application (:mod:`brubeck.application`) routes each request to one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from html import escape
from typing import Any, overload
from urllib.parse import quote

from .cookies import set_cookie_header, sign_value, unsign_value
from .csrf import UNSAFE_METHODS, CSRFProtection
from .datastructures import Headers
from .exceptions import HTTPError
from .request import Request
from .responses import (
    API_POLICY,
    HTML,
    JSON,
    PAGE_POLICY,
    Response,
    StreamedResponse,
    default_headers,
    json_bytes,
    plain_text,
    reason_phrase,
    secured_headers,
    to_bytes,
)
from .routing import HTTP_METHODS
from .template_engines import TemplateEngine, engine_for
from .timekeeping import curtime
from .types import HandlerApplication

__all__ = ["MessageHandler", "WebHandling", "WebMessageHandler", "JSONMessageHandler"]

log = logging.getLogger("brubeck")
NOT_JSON_MESSAGE = "Send the body as JSON, with Content-Type: application/json."
"""What a JSON handler answers (415) to a body sent as anything else."""


class MessageHandler:
    """Base handler: status, headers, body, payload and the request life cycle.

    Subclasses define ``get``, ``post``, ``put``, ``patch`` or ``delete``;
    each returns ``self.render()`` (returning nothing renders too).
    """

    _SUCCESS_CODE = 200
    content_security_policy: str | None = None
    """Sent as Content-Security-Policy (with X-Frame-Options and Referrer-Policy); ``None`` sends none."""
    _allowed_methods: tuple[str, ...]  # set on each class by allowed_methods()
    default_content_type = "text/plain; charset=utf-8"
    unavailable_errors: tuple[type[BaseException], ...] = ()
    """Exceptions meaning a backing service is down: answered with 503, no traceback."""
    unavailable_message = "The service is temporarily unavailable. Please try again in a moment."
    _cookies_out: dict[str, str] | None = None  # Set-Cookie values by cookie name (web handlers set them)
    max_upload_size = 0
    """The largest request body (bytes) this handler takes beyond Mongrel2's ``limits.content_length``
    (Mongrel2 streams those, and every chunked body, to a file); 0 refuses them with 413 (411 if
    chunked) before they are stored.  The connection's ``max_upload_size`` caps it."""

    def __init__(self, application: HandlerApplication, message: Request, *args: str, **kwargs: str) -> None:
        self.application = application
        self.message = message
        self.db_conn = application.db_conn
        self._url_args = args
        self._url_kwargs = kwargs
        self.status_code = self._SUCCESS_CODE
        self.status_msg: str | None = None
        self.headers = Headers()
        self.body: Any = ""
        self._payload: dict[str, Any] = {}
        self._held = False
        self.initialize()

    # -- hooks ---------------------------------------------------------------
    def initialize(self) -> None:
        """Called at the end of ``__init__``."""

    def prepare(self) -> Response | None:
        """Called before the method; returning a response skips the method."""
        return None

    def on_finish(self) -> None:
        """Called after the response is built, even when the handler failed."""

    # -- building the response -----------------------------------------------
    @property
    def current_time(self) -> int:
        """Now, in milliseconds since the epoch."""
        return curtime()

    def set_status(self, status_code: int, status_msg: str | None = None) -> None:
        self.status_code = int(status_code)
        self.status_msg = status_msg

    def set_body(
        self,
        body: Any,
        headers: dict[str, str] | None = None,
        status_code: int | None = None,
        status_msg: str | None = None,
    ) -> None:
        """Set the body; ``headers`` are added to the response's, ``status_code`` replaces its status."""
        self.body = body
        if headers:
            for name, value in headers.items():
                self.headers[name] = value
        if status_code is not None:
            self.set_status(status_code, status_msg)

    def add_to_payload(self, key: str, value: Any) -> None:
        """Add a key to the payload rendered by JSON handlers."""
        self._payload[key] = value

    def clear_payload(self) -> None:
        self._payload = {}

    def encode_body(self) -> bytes:
        """The body as bytes."""
        return to_bytes(self.body)

    def render(self, status_code: int | None = None, **kwargs: Any) -> Response:
        """Turn status, headers and body into the response."""
        if status_code is not None:
            self.set_status(status_code)
        return Response(self.encode_body(), self.status_code, self.status_msg, self._response_headers())

    def stream(self, pieces: Iterable[bytes], status_code: int | None = None) -> StreamedResponse:
        """A response whose body is ``pieces``, sent as they are made (see :class:`StreamedResponse`)."""
        if status_code is not None:
            self.set_status(status_code)
        return StreamedResponse(pieces, self.status_code, self.status_msg, self._response_headers())

    def _response_headers(self) -> Headers:
        """The headers set by the handler, plus defaults for those it did not set, plus its cookies."""
        own, cookies = self.headers, self._cookies_out
        if own.__class__ is Headers and not own._items and not cookies:  # the common case: nothing set
            return secured_headers(self.default_content_type, self.content_security_policy)
        defaults = default_headers(self.default_content_type, self.content_security_policy)
        headers = own.copy() if isinstance(own, Headers) else Headers(own)  # a handler may have set a dict
        for name, value in defaults:
            headers.setdefault(name, value)
        for header in (cookies or {}).values():
            headers.add("Set-Cookie", header)
        return headers

    def render_error(
        self, status_code: int, message: str | None = None, fields: dict[str, str] | None = None
    ) -> Response:
        """Answer with an error; the base handler uses plain text."""
        self.set_body(message or reason_phrase(status_code), status_code=status_code)
        return self.render()

    def options(self, *args: str, **kwargs: str) -> Response:
        """Say which methods this resource answers."""
        self.headers["Allow"] = ", ".join(self.allowed_methods())
        self.set_body(b"", status_code=204)
        return self.render()

    @classmethod
    def allowed_methods(cls) -> tuple[str, ...]:
        """The HTTP methods this class answers (worked out once per class: asked on every request)."""
        cached = cls.__dict__.get("_allowed_methods")
        if cached is None:
            allowed = {m for m in HTTP_METHODS if callable(getattr(cls, m.lower(), None))}
            if "GET" in allowed:
                allowed.add("HEAD")
            cached = tuple(m for m in HTTP_METHODS if m in allowed)
            cls._allowed_methods = cached
        return cached

    # -- long-polling ----------------------------------------------------------
    def hold(
        self,
        room: str,
        key: str,
        timeout: float,
        timeout_response: Response | None = None,
        holders: tuple[str, ...] = (),
    ) -> Response | None:
        """Keep this request open until ``application.release(room, key, ...)``.

        Behind Mongrel2 the greenlet ends at once and the connection waits;
        ``timeout_response`` (204 by default) answers it after ``timeout``
        seconds.  ``holders`` (an account, an address) are counted while it
        waits: ``application.waiting_room(room).held_by(holder)``.  Return the
        result of this call from the handler method.
        """
        self._held = True
        waiting = self.application.waiting_room(room)
        return waiting.hold(self.message, key, timeout, timeout_response or Response(b"", 204), holders)

    # -- life cycle ------------------------------------------------------------
    def before_method(self) -> None:
        """Checks made before ``prepare`` (CSRF in web handlers)."""

    def __call__(self) -> Response | None:
        """Run the handler; ``None`` means the request is held open."""
        try:
            self.before_method()
            result = self.prepare()
            if result is not None:
                return result
            method = self.message.method
            function = getattr(self, "get" if method == "HEAD" and not hasattr(self, "head") else method.lower())
            result = function(*self._url_args, **self._url_kwargs)
            if result is None and not self._held:
                result = self.render()
            return result
        except HTTPError as error:
            return self._error_response(error)
        except self.unavailable_errors as error:
            log.error("Service unavailable for %s %s: %s", self.message.method, self.message.path, error)
            self.reset_response()
            return self._error_response(HTTPError(503, self.unavailable_message, headers={"Retry-After": "30"}))
        except Exception:
            log.exception(
                "Unhandled error in %s for %s %s", type(self).__name__, self.message.method, self.message.path
            )
            self.reset_response()
            return self._error_response(HTTPError(500))
        finally:
            try:
                self.on_finish()
            except Exception:
                log.exception("Error in %s.on_finish", type(self).__name__)

    def reset_response(self) -> None:
        """Forget the headers and body set so far (before an unexpected error's page)."""
        self.headers = Headers()
        self.body = ""
        self.clear_payload()

    def _error_response(self, error: HTTPError) -> Response:
        for name, value in error.headers.items():
            self.headers[name] = value
        try:
            return self.render_error(error.status, error.message, error.fields)
        except Exception:
            log.exception("Error while rendering a %d page", error.status)
            return plain_text(error.status, headers=error.headers)


class WebHandling(CSRFProtection, MessageHandler):
    """What a handler for web pages does: HTML, arguments, cookies, redirects, CSRF, templates.

    Handlers subclass :class:`WebMessageHandler` (or a ``*Rendering`` class
    of :mod:`brubeck.templating`, or both, in either order); both are this
    class under another name, so neither precedes the other in a class's MRO.
    """

    default_content_type = HTML
    content_security_policy = PAGE_POLICY
    csrf_protect = True
    template_engine: TemplateEngine | None = None
    """The engine adapter ``render_template`` uses; ``None``: the one that fits the app's templates."""

    def before_method(self) -> None:
        if self.message.method in UNSAFE_METHODS and self.csrf_protect and self.application.csrf_protection:
            self.check_csrf()

    # -- arguments -------------------------------------------------------------
    def get_arguments(self, name: str, strip: bool = True) -> list[str]:
        """Every value of ``name`` from the query string and form body."""
        return self.message.get_arguments(name, strip)

    @overload
    def get_argument(self, name: str, default: str, strip: bool = True) -> str: ...

    @overload
    def get_argument(self, name: str, default: None = None, strip: bool = True) -> str | None: ...

    def get_argument(self, name: str, default: str | None = None, strip: bool = True) -> str | None:
        """The last value of ``name`` from the query string or form body."""
        return self.message.get_argument(name, default, strip)

    # -- cookies -----------------------------------------------------------------
    def get_cookie(
        self, key: str, default: Any = None, secret: str | bytes | None = None, max_age: int | None = None
    ) -> Any:
        """A cookie's value; with ``secret``, only a valid signed value counts."""
        raw = self.message.cookies.get(key)
        if raw is None:
            return default
        if secret is None:
            return raw
        value = unsign_value(secret, key, raw, max_age or self.application.cookie_max_age)
        return default if value is None else value

    def set_cookie(
        self,
        key: str,
        value: Any,
        secret: str | bytes | None = None,
        *,
        max_age: int | None = None,
        path: str = "/",
        domain: str | None = None,
        secure: bool | None = None,
        httponly: bool = True,
        samesite: str | None = "Lax",
    ) -> None:
        """Set a cookie; with ``secret`` the value (any JSON) is signed."""
        if secret is not None:
            value = sign_value(secret, key, value)
            if max_age is None:
                max_age = self.application.cookie_max_age
        self._queue_cookie(
            key,
            set_cookie_header(
                key,
                str(value),
                max_age=max_age,
                path=path,
                domain=domain,
                secure=self.application.cookie_secure if secure is None else secure,
                httponly=httponly,
                samesite=samesite,
            ),
        )

    def _queue_cookie(self, key: str, header: str) -> None:
        if self._cookies_out is None:
            self._cookies_out = {}
        self._cookies_out[key] = header

    def reset_response(self) -> None:
        super().reset_response()
        self._cookies_out = None

    def delete_cookie(self, key: str, path: str = "/", domain: str | None = None) -> None:
        """Tell the browser to forget a cookie."""
        self._queue_cookie(key, set_cookie_header(key, "", max_age=0, path=path, domain=domain))

    def delete_cookies(self) -> None:
        """Tell the browser to forget every cookie it sent."""
        for key in self.message.cookies:
            self.delete_cookie(key)

    def stream(self, pieces: Iterable[bytes], status_code: int | None = None) -> StreamedResponse:
        """A response whose body is ``pieces``, sent as they are made (see :class:`StreamedResponse`)."""
        if status_code is not None:
            self.set_status(status_code)
        return StreamedResponse(pieces, self.status_code, self.status_msg, self._response_headers())

    # -- redirects and errors ------------------------------------------------------
    def redirect(self, url: str, status_code: int = 302) -> Response:
        """Redirect to ``url``; a URL with a line break is refused (400)."""
        if any(c in url for c in "\r\n\0"):
            raise HTTPError(400, "The redirect address is not valid.")
        self.headers["Location"] = quote(url, safe="!#$%&'()*+,/:;=?@[]~")  # non-ASCII: percent-encoded
        self.set_body("", status_code=status_code)
        return self.render()

    # -- templates ---------------------------------------------------------------------
    def get_template_context(self) -> dict[str, Any]:
        """Values every template sees; extend it to add site-wide values."""
        return {"handler": self, "csrf_field": self.csrf_field, "request": self.message}

    def _engine(self) -> tuple[TemplateEngine, Any]:
        env = self.application.template_env_for(type(self))
        return self.template_engine or engine_for(env), env

    def render_template(self, template_file: str, _status_code: int = 200, **context: Any) -> Response:
        """Render a template of the app's ``template_loader`` into the body and return the response."""
        engine, env = self._engine()
        merged = self.get_template_context()
        merged.update(context)
        self.set_body(engine.render(env, template_file, merged), status_code=_status_code)
        return self.render()

    def render_error(
        self, status_code: int, message: str | None = None, fields: dict[str, str] | None = None
    ) -> Response:
        """The engine's error template (``errors.html``; ``errors`` for Mustache), else a small HTML page."""
        if self.application.template_env_for(type(self)) is not None:
            engine, env = self._engine()
            if engine.exists(env, engine.error_template):
                return self.render_template(
                    engine.error_template,
                    _status_code=status_code,
                    error_code=status_code,
                    error_title=reason_phrase(status_code),
                    error_message=message or reason_phrase(status_code),
                    error_fields=fields or {},
                )
        title = f"{status_code} {reason_phrase(status_code)}"
        text = message or reason_phrase(status_code)
        items = "".join(f"<li>{escape(k)}: {escape(v)}</li>" for k, v in (fields or {}).items())
        page = (
            f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title></head>'
            f"<body><h1>{escape(title)}</h1><p>{escape(text)}</p>"
            + (f"<ul>{items}</ul>" if items else "")
            + "</body></html>"
        )
        self.set_body(page, status_code=status_code)
        return self.render()


class WebMessageHandler(WebHandling):
    """A handler for web pages: HTML, arguments, cookies, redirects, CSRF, templates."""


class JSONMessageHandler(WebMessageHandler):
    """A handler for JSON APIs: reads a JSON body (:meth:`read_json`); the body (or the payload) is sent as JSON."""

    default_content_type = JSON
    content_security_policy = API_POLICY

    def read_json(self) -> Any:
        """The request's JSON body, parsed (objects, lists, strings, numbers, booleans or ``None``).

        Raises :class:`~brubeck.exceptions.HTTPError`: 415 unless the body is sent as
        ``application/json``; 400 when it is empty, not valid JSON in UTF-8, or nests deeper than
        :data:`~brubeck.request.MAX_JSON_DEPTH`; 413 when it is over :data:`~brubeck.request.MAX_JSON_BYTES`.
        """
        if self.message.content_type != JSON:
            raise HTTPError(415, NOT_JSON_MESSAGE)
        if not self.message.body:
            raise HTTPError(400, "The request body is empty: send JSON.")
        return self.message.json

    def encode_body(self) -> bytes:
        body = self._payload if self.body in ("", None) else self.body
        return to_bytes(body) if isinstance(body, (bytes, str)) else json_bytes(body)

    def render_error(
        self, status_code: int, message: str | None = None, fields: dict[str, str] | None = None
    ) -> Response:
        """``{"error": {"code", "message", "fields"}}``."""
        error = {"code": status_code, "message": message or reason_phrase(status_code)}
        if fields:
            error["fields"] = dict(fields)
        self.clear_payload()
        self.set_body({"error": error}, status_code=status_code)
        return self.render()
