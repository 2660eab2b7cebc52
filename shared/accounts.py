"""The account pages every site reuses: create an account, log in, log out, API tokens.

Routes come from :func:`account_routes`; the templates live in
shared/templates/accounts/ and extend the site's own ``base.html``.
(Hashing and the ``*_authenticated`` decorators are the framework's, in
brubeck/auth.py; who is signed in is shared/sessions.py.)
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from brubeck.auth import safe_next_url, web_authenticated
from brubeck.responses import Response

from .login import check_login, too_many_attempts
from .models import User, check_new_password, field_errors
from .throttle import sign_ups_refused
from .tokens import issue_token, list_tokens, revoke_token
from .users import create_user, reserved_username
from .web import PageHandler


class CreateAccountHandler(PageHandler):
    """``/create``: a form, and a POST that creates the account and signs in."""

    template = "accounts/create_account.html"

    def get(self) -> Response:
        if self.current_user:
            return self.redirect("/")
        return self.render_template(self.template, values={}, errors={}, next=self.get_argument("next", ""))

    def post(self) -> Response:
        values = {"username": self.get_argument("username", ""), "email": self.get_argument("email", "")}
        password = self.get_argument("password", "", strip=False) or ""
        next_url = self.get_argument("next", "")
        errors: dict[str, str] = {}
        user = None
        try:
            user = User(username=values["username"], email=values["email"] or None)
        except ValidationError as error:
            errors.update(field_errors(error))
        if reserved_username(values["username"]):
            errors["username"] = "That name is kept for a page of the site. Choose another."
        password_problem = check_new_password(password)
        if password_problem:
            errors["password"] = password_problem
        if user is None or errors:
            return self.form_error(self.template, 400, errors, values=values, next=next_url)
        refusal = sign_ups_refused(
            self.store, self.message.remote_addr, self.application.config.accounts_per_address_per_hour
        )
        if refusal:
            self.headers["Retry-After"] = str(refusal)
            message = "Too many accounts were made from your address. Try again in an hour."
            return self.form_error(self.template, 429, {"form": message}, values=values, next=next_url)
        user.set_password(password)
        if not create_user(self.store, user):
            return self.form_error(
                self.template,
                409,
                {"username": "That username is taken. Choose another."},
                values=values,
                next=next_url,
            )
        self.sign_in(user)
        return self.redirect(safe_next_url(next_url))


class LoginHandler(PageHandler):
    """``/login``: a form, and a throttled POST that signs in and follows ``next``."""

    template = "accounts/login.html"

    def get(self) -> Response:
        next_url = self.get_argument("next", "")
        if self.current_user:
            return self.redirect(safe_next_url(next_url))
        return self.render_template(self.template, values={}, errors={}, next=next_url)

    def post(self) -> Response:
        username = self.get_argument("username", "") or ""
        password = self.get_argument("password", "", strip=False) or ""
        next_url = self.get_argument("next", "")
        result = check_login(self.store, username, password, self.message.remote_addr)
        if result.refused:
            self.headers["Retry-After"] = str(result.retry_after_s)
            message = too_many_attempts(result.retry_after_s)
            return self.form_error(self.template, 429, {"form": message}, values={"username": username}, next=next_url)
        if result.user is None:
            return self.form_error(
                self.template,
                401,
                {"form": "Wrong username or password."},
                values={"username": username},
                next=next_url,
            )
        self.sign_in(result.user)
        return self.redirect(safe_next_url(next_url))


class LogoutHandler(PageHandler):
    """``/logout``: POST only (a link cannot sign anyone out)."""

    def post(self) -> Response:
        self.sign_out()
        return self.redirect("/login")


class TokensHandler(PageHandler):
    """``/tokens``: the user's API tokens; POST issues one and shows its key once."""

    template = "accounts/tokens.html"

    def _page(self, status: int = 200, **context: Any) -> Response:
        self.headers["Cache-Control"] = "no-store"  # it shows a new key once: no cache may keep it
        context.setdefault("errors", {})
        return self.render_template(
            self.template, _status_code=status, tokens=list_tokens(self.store, self.current_user.id), **context
        )

    @web_authenticated
    def get(self) -> Response:
        return self._page()

    @web_authenticated
    def post(self) -> Response:
        name = self.get_argument("name", "") or ""
        try:
            token, key = issue_token(self.store, self.current_user.id, name)
        except ValidationError as error:
            return self._page(400, errors=field_errors(error), name=name)
        return self._page(201, new_key=key, new_token=token)


class TokenRevokeHandler(PageHandler):
    """``/tokens/<id>/revoke``: delete one of the user's tokens, then back to ``after_revoke``."""

    after_revoke = "/tokens"

    @web_authenticated
    def post(self, token_id: str) -> Response:
        if not revoke_token(self.store, self.current_user.id, token_id):
            return self.render_error(404, "There is no such token.")
        return self.redirect(self.after_revoke)


def account_routes(policy: str | None = None) -> list[tuple[str, type]]:
    """The account routes, for a site's ``handler_tuples``; with ``policy``, their pages are sent under that
    Content-Security-Policy instead of the framework's (no.js: no script at all)."""
    routes: list[tuple[str, type[PageHandler]]] = [
        (r"/create$", CreateAccountHandler),
        (r"/login$", LoginHandler),
        (r"/logout$", LogoutHandler),
        (r"/tokens$", TokensHandler),
        (r"/tokens/(?P<token_id>[0-9a-f]{64})/revoke$", TokenRevokeHandler),
    ]
    if policy is None:
        return list(routes)
    return [
        (pattern, type(handler.__name__, (handler,), {"content_security_policy": policy}))
        for pattern, handler in routes
    ]
