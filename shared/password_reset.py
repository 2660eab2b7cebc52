"""A forgotten password: ``/reset`` mails a link to the accounts with the address given, ``/reset/<token>``
sets a new password.

The link carries a token signed with the cookie secret (itsdangerous) that names the account and a
fingerprint of its password hash and session epoch: it expires after :data:`LINK_MAX_AGE_S`, and once used
(the password changes) it no longer matches, so it works once.  ``/reset`` gives the same answer, in the
same time, whether or not an account has the address (the mail is sent after the answer).  Without
``SMTP_URL`` no mail can be sent: the page says how an administrator resets a password
(``python -m conf.reset_password USERNAME``).
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from itsdangerous import BadSignature, URLSafeTimedSerializer

from brubeck import concurrency
from brubeck.responses import Response

from .mail import MailFailed, send_mail
from .models import User, check_new_password
from .store import Store
from .throttle import hourly_refused
from .users import change_account, find_user
from .web import PageHandler

LINK_MAX_AGE_S = 3600
RESETS_PER_ADDRESS_PER_HOUR = 5
ACCOUNTS_PER_MAIL_ADDRESS = 5
"""The most accounts one reset request mails a link for (several accounts may share an address)."""
SENT = (
    "If an account has that address, a mail with a link to choose a new password is on its way"
    " (the link works for an hour, once)."
)

log = logging.getLogger("shared.password_reset")


def _fingerprint(user: User) -> str:
    return hashlib.sha256(f"{user.password_hash}:{user.session_epoch}".encode()).hexdigest()[:32]


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="password-reset")


def reset_token(secret: str, user: User) -> str:
    """The token of a reset link for ``user``."""
    return str(_serializer(secret).dumps({"u": user.id, "f": _fingerprint(user)}))


def user_for_token(store: Store, secret: str, token: str, max_age: int = LINK_MAX_AGE_S) -> User | None:
    """The account a reset token is for, or None if it is forged, expired or used."""
    try:
        claims = _serializer(secret).loads(token, max_age=max_age)
    except BadSignature:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("u"), str) or not isinstance(claims.get("f"), str):
        return None
    user = find_user(store, claims["u"])
    return user if user and hmac.compare_digest(_fingerprint(user), claims["f"]) else None


class ResetRequestHandler(PageHandler):
    """``/reset``: a form asking for the account's email; POST mails a link to each account that has it."""

    template = "accounts/reset.html"

    def page(self, status: int = 200, **context: object) -> Response:
        context.setdefault("errors", {})
        context.setdefault("values", {})
        mails = self.application.config.smtp_url is not None
        return self.render_template(self.template, _status_code=status, mails=mails, **context)

    def get(self) -> Response:
        return self.page()

    def post(self) -> Response:
        config = self.application.config
        email = (self.get_argument("email", "") or "").strip().lower()
        if config.smtp_url is None:
            return self.page(404)
        if "@" not in email or len(email) > 320:
            return self.page(
                400, errors={"email": "That does not look like an email address."}, values={"email": email}
            )
        refusal = hourly_refused(self.store, "reset", self.message.remote_addr, RESETS_PER_ADDRESS_PER_HOUR)
        if refusal:
            self.headers["Retry-After"] = str(refusal)
            message = "Too many resets were asked from your address. Try again in an hour."
            return self.page(429, errors={"form": message}, values={"email": email})
        users = self.store.users.with_email(email, ACCOUNTS_PER_MAIL_ADDRESS)
        concurrency.spawn(self._mail_links, [user for user in users if user.is_active], email)
        return self.page(sent=SENT)

    def _mail_links(self, users: list[User], email: str) -> None:
        config = self.application.config
        assert config.smtp_url is not None
        for user in users:
            link = f"{self.application.site.url}/reset/{reset_token(config.cookie_secret, user)}"
            text = (
                f"Someone (you, we hope) asked to choose a new password for the account {user.username} on "
                f"{self.application.title}.\n\nTo choose one, open this link within an hour:\n\n{link}\n\n"
                "It works once. If you did not ask, do nothing: your password stays as it is.\n"
            )
            try:
                send_mail(config.smtp_url, config.mail_from, email, f"A new password for {user.username}", text)
            except MailFailed as error:
                log.error("The reset mail for %s could not be sent: %s", user.username, error)


class ResetPasswordHandler(PageHandler):
    """``/reset/<token>``: the new password's form, for the account the link is for; POST sets it and signs in."""

    template = "accounts/reset_password.html"

    def _user(self, token: str) -> User | None:
        return user_for_token(self.store, self.application.config.cookie_secret, token)

    def _expired(self) -> Response:
        message = "This link has expired or was used already. Ask for another one."
        return self.render_template(self.template, _status_code=400, expired=message, errors={}, values={})

    def get(self, token: str) -> Response:
        user = self._user(token)
        if user is None:
            return self._expired()
        return self.render_template(self.template, user=user, token=token, errors={}, values={})

    def post(self, token: str) -> Response:
        user = self._user(token)
        if user is None:
            return self._expired()
        password = self.get_argument("new_password", "", strip=False) or ""
        problem = check_new_password(password)
        if problem:
            errors = {"new_password": problem}
            return self.render_template(
                self.template, _status_code=400, user=user, token=token, errors=errors, values={}
            )
        change_account(self.store, user, password=password)
        self.sign_in(find_user(self.store, user.id) or user)
        return self.redirect("/account?done=password", status_code=303)
