"""Cross-site request forgery protection for cookie-authenticated requests.

Each browser gets a random token in a signed cookie; forms send it back in
the ``_csrf`` field (or scripts in an ``X-CSRF-Token`` header).  A POST,
PUT, PATCH or DELETE without a matching token is refused with 403.  A
request that the handler authenticates by an API key rather than a cookie
(``authenticated_by_api_token()``) needs no token; the mere presence of an
``Authorization`` header exempts nothing (a browser behind a Basic-auth
proxy sends one on every request).
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import Callable
from typing import Any

from markupsafe import Markup, escape

from .exceptions import HTTPError
from .request import Request
from .types import HandlerApplication

CSRF_COOKIE = "_csrf"
CSRF_FIELD = "_csrf"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MISSING_TOKEN_HINT = (
    "If you wrote this form: put {{ csrf_field() }} inside it (scripts send the token in an "
    "X-CSRF-Token header), or turn the protection off with Brubeck(csrf_protection=False) "
    "or csrf_protect = False on the handler."
)

log = logging.getLogger("brubeck.csrf")


class CSRFProtection:
    """Handler mixin: ``csrf_token``, ``csrf_field()`` and ``check_csrf()``."""

    # What it uses of the web handler it is mixed into:
    application: HandlerApplication
    message: Request
    get_cookie: Callable[..., Any]
    set_cookie: Callable[..., None]

    _csrf_token: str | None = None
    _csrf_input: Markup | None = None  # made once a request: a page may hold a form on every row

    @property
    def csrf_token(self) -> str:
        """This browser's token, issued (as a cookie) on first use."""
        if self._csrf_token is None:
            secret = self.application.cookie_secret
            token = self.get_cookie(CSRF_COOKIE, secret=secret)
            if not isinstance(token, str):
                token = secrets.token_urlsafe(32)
                self.set_cookie(CSRF_COOKIE, token, secret=secret)
            self._csrf_token = token
        return self._csrf_token

    def csrf_field(self) -> Markup:
        """A hidden form input carrying the token."""
        if self._csrf_input is None:
            self._csrf_input = Markup('<input type="hidden" name="%s" value="%s">') % (
                CSRF_FIELD,
                escape(self.csrf_token),
            )
        return self._csrf_input

    def authenticated_by_api_token(self) -> bool:
        """True when this request is signed in by a valid API key, not a cookie (then it needs no token).

        The framework knows no API keys: a handler that accepts them overrides this.
        """
        return False

    def check_csrf(self) -> None:
        """Raise 403 unless a state-changing request carries a valid token."""
        request = self.message
        if request.method not in UNSAFE_METHODS or self.authenticated_by_api_token():
            return
        expected = self.get_cookie(CSRF_COOKIE, secret=self.application.cookie_secret)
        sent = request.headers.get(CSRF_HEADER) or (request.arguments.get(CSRF_FIELD) or [""])[-1]
        if not sent:
            log.warning("%s %s has no CSRF token: %s", request.method, request.path, MISSING_TOKEN_HINT)
            raise HTTPError(403, "This request has no CSRF token, so it was refused. " + MISSING_TOKEN_HINT)
        if not isinstance(expected, str) or not hmac.compare_digest(expected, sent):
            raise HTTPError(403, "This form has expired or did not come from this site. Reload the page and try again.")
