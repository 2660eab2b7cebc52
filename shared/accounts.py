"""The account pages every site reuses: create an account, log in, log out, API tokens, change the password
or the email, delete the account.

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

from .chat.departures import leave_every_chat
from .login import check_login, too_many_attempts
from .models import User, check_new_password, field_errors
from .password_reset import PASSWORD_CHANGED, ResetPasswordHandler, ResetRequestHandler
from .sessions import SESSION_COOKIE
from .throttle import sign_ups_refused
from .tokens import issue_token, list_tokens, revoke_token
from .users import RETIRED_DAYS, change_account, create_user, delete_account, find_user, reserved_username
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
        self.flash("You are logged out, here and on every site of the suite.")
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


class AccountPage(PageHandler):
    """``/account``: change the password or the email, or delete the account; each form needs the password."""

    template = "accounts/account.html"

    def page(self, errors: dict[str, str] | None = None, status: int = 200, **values: str) -> Response:
        email = values.pop("email", self.current_user.email or "")
        context = {"errors": errors or {}, "values": {"email": email, **values}}
        return self.render_template(self.template, _status_code=status, **context)

    def password_checked(self, field: str) -> str | None:
        """What is wrong with the form's password for the signed-in account (throttled like a login), or None."""
        result = check_login(
            self.store,
            self.current_user.username,
            self.get_argument(field, "", strip=False) or "",
            self.message.remote_addr,
        )
        if result.refused:
            self.headers["Retry-After"] = str(result.retry_after_s)
            return too_many_attempts(result.retry_after_s)
        return None if result.user else "That is not your password."

    @web_authenticated
    def get(self) -> Response:
        return self.page()


class ChangePasswordHandler(AccountPage):
    """``POST /account/password``: the current password and a new one; every other session ends."""

    @web_authenticated
    def post(self) -> Response:
        new = self.get_argument("new_password", "", strip=False) or ""
        errors = {"new_password": problem} if (problem := check_new_password(new)) else {}
        if wrong := self.password_checked("current_password"):
            errors["current_password"] = wrong
        if errors:
            return self.page(errors, 400)
        change_account(self.store, self.current_user, password=new)
        self.sign_in(find_user(self.store, self.current_user.id) or self.current_user)  # this browser stays in
        self.flash(PASSWORD_CHANGED)
        return self.redirect("/account", status_code=303)


class ChangeEmailHandler(AccountPage):
    """``POST /account/email``: the password and a new email (empty: none)."""

    @web_authenticated
    def post(self) -> Response:
        email = (self.get_argument("email", "") or "").strip().lower()
        errors: dict[str, str] = {}
        try:
            User(username=self.current_user.username, email=email or None)
        except ValidationError as error:
            errors.update(field_errors(error))
        if wrong := self.password_checked("email_password"):
            errors["email_password"] = wrong
        if errors:
            return self.page(errors, 400, email=email)
        change_account(self.store, self.current_user, email=email or None)
        self.sign_in(find_user(self.store, self.current_user.id) or self.current_user)
        self.flash("Your email address is changed.")
        return self.redirect("/account", status_code=303)


class DeleteAccountHandler(AccountPage):
    """``POST /account/delete``: the password and the username typed again; then the account and everything
    of it on every site are deleted (it leaves every chat room at once; its messages stay), and its name is
    kept from new accounts for a while."""

    @web_authenticated
    def post(self) -> Response:
        confirm = (self.get_argument("confirm", "") or "").strip().lower()
        errors = {} if confirm == self.current_user.id else {"confirm": "Type your username to confirm."}
        if wrong := self.password_checked("delete_password"):
            errors["delete_password"] = wrong
        if errors:
            return self.page(errors, 400, confirm=confirm)
        delete_account(self.store, self.current_user.id)
        leave_every_chat(self.application.config.chat, self.current_user.id)
        self.delete_cookie(SESSION_COOKIE)
        self.current_user = None
        return self.redirect("/account/deleted", status_code=303)


class AccountDeletedHandler(PageHandler):
    """``/account/deleted``: what a deleted account is told."""

    def get(self) -> Response:
        return self.render_template("accounts/deleted.html", retired_days=RETIRED_DAYS)


def account_routes(policy: str | None = None) -> list[tuple[str, type]]:
    """The account routes, for a site's ``handler_tuples``; with ``policy``, their pages are sent under that
    Content-Security-Policy instead of the framework's (no.js: no script at all)."""
    routes: list[tuple[str, type[PageHandler]]] = [
        (r"/create$", CreateAccountHandler),
        (r"/login$", LoginHandler),
        (r"/logout$", LogoutHandler),
        (r"/tokens$", TokensHandler),
        (r"/tokens/(?P<token_id>[0-9a-f]{64})/revoke$", TokenRevokeHandler),
        (r"/account$", AccountPage),
        (r"/account/password$", ChangePasswordHandler),
        (r"/account/email$", ChangeEmailHandler),
        (r"/account/delete$", DeleteAccountHandler),
        (r"/account/deleted$", AccountDeletedHandler),
        (r"/reset$", ResetRequestHandler),
        (r"/reset/(?P<token>[A-Za-z0-9_.-]{20,400})$", ResetPasswordHandler),
    ]
    if policy is None:
        return list(routes)
    return [
        (pattern, type(handler.__name__, (handler,), {"content_security_policy": policy}))
        for pattern, handler in routes
    ]
