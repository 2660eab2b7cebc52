"""The account pages every site reuses: create an account, log in, log out, API tokens.

Routes come from :func:`account_routes`; the templates live in
shared/templates/accounts/ and extend the site's own ``base.html``.
(Hashing and the ``*_authenticated`` decorators are the framework's, in
brubeck/auth.py; who is signed in is shared/sessions.py.)
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ValidationError

from brubeck.auth import check_password, hash_password, safe_next_url, web_authenticated
from brubeck.responses import Response

from .models import User, check_new_password, field_errors
from .throttle import LoginThrottle, sign_ups_refused
from .tokens import issue_token, list_tokens, revoke_token
from .users import create_user, find_user, reserved_username
from .web import PageHandler


@cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return hash_password("no account has this password")


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
        refusal = sign_ups_refused(self.db_conn, self.message.remote_addr)
        if refusal:
            self.headers["Retry-After"] = str(refusal)
            message = "Too many accounts were made from your address. Try again in an hour."
            return self.form_error(self.template, 429, {"form": message}, values=values, next=next_url)
        user.set_password(password)
        if not create_user(self.db_conn, user):
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
        throttle = LoginThrottle(self.db_conn)
        attempt = throttle.attempt(username, self.message.remote_addr)  # counted before any password is checked
        verdict = attempt.verdict
        if verdict.refused:
            minutes = max(1, round(verdict.retry_after_s / 60))
            self.headers["Retry-After"] = str(verdict.retry_after_s)
            message = f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."
            return self.form_error(self.template, 429, {"form": message}, values={"username": username}, next=next_url)
        throttle.wait(verdict)
        user = find_user(self.db_conn, username) if username.strip() else None
        password_ok = check_password(password, user.password_hash if user else _decoy_hash())
        if user is None or not password_ok:
            return self.form_error(
                self.template,
                401,
                {"form": "Wrong username or password."},
                values={"username": username},
                next=next_url,
            )
        throttle.succeeded(attempt)
        self.sign_in(user)
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
            self.template, _status_code=status, tokens=list_tokens(self.db_conn, self.current_user.id), **context
        )

    @web_authenticated
    def get(self) -> Response:
        return self._page()

    @web_authenticated
    def post(self) -> Response:
        name = self.get_argument("name", "") or ""
        try:
            token, key = issue_token(self.db_conn, self.current_user.id, name)
        except ValidationError as error:
            return self._page(400, errors=field_errors(error), name=name)
        return self._page(201, new_key=key, new_token=token)


class TokenRevokeHandler(PageHandler):
    """``/tokens/<id>/revoke``: delete one of the user's tokens, then back to ``after_revoke``."""

    after_revoke = "/tokens"

    @web_authenticated
    def post(self, token_id: str) -> Response:
        if not revoke_token(self.db_conn, self.current_user.id, token_id):
            return self.render_error(404, "There is no such token.")
        return self.redirect(self.after_revoke)


def account_routes() -> list[tuple[str, type]]:
    """The account routes, for a site's ``handler_tuples``."""
    return [
        (r"/create", CreateAccountHandler),
        (r"/login", LoginHandler),
        (r"/logout", LogoutHandler),
        (r"/tokens", TokensHandler),
        (r"/tokens/(?P<token_id>[0-9a-f]{64})/revoke", TokenRevokeHandler),
    ]
