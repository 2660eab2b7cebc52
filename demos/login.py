#!/usr/bin/env python
"""Signing in with a signed cookie: a login form, a protected page, logout.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.login`` (from the project root) and open http://localhost:6767/profile: you are
sent to the login form (``?next=/profile``); sign in as ``alice`` /
``wonderland`` or ``bob`` / ``builder`` and you come back to the profile.

The demo users live in memory; their bcrypt hashes are made at start-up.
The signed-in user is a cookie signed with ``COOKIE_SECRET`` (a random
secret per run when unset, so restarting the demo signs everyone out).
Forms carry a CSRF token (``{{ csrf_field() }}``); logout is a POST.
"""

import os
import secrets

from brubeck.auth import UserHandlingMixin, check_password, hash_password, safe_next_url, web_authenticated
from brubeck.connections import Mongrel2Connection
from brubeck.models import User
from brubeck.request_handling import Brubeck
from brubeck.templating import Jinja2Rendering, load_jinja2_env
from brubeck.timekeeping import prettydate

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
USER_COOKIE = "user"
DEMO_PASSWORDS = {"alice": "wonderland", "bob": "builder"}
USERS = {name: User(username=name, password_hash=hash_password(pw)) for name, pw in DEMO_PASSWORDS.items()}
NO_SUCH_USER_HASH = hash_password(secrets.token_hex(16))  # unknown names take as long as wrong passwords


class BaseHandler(UserHandlingMixin, Jinja2Rendering):
    def get_current_user(self):
        username = self.get_cookie(USER_COOKIE, secret=self.application.cookie_secret)
        return USERS.get(username) if isinstance(username, str) else None


class HomeHandler(BaseHandler):
    @web_authenticated
    def get(self):
        return self.render_template("account.html", title="Home", user=self.current_user, text="You are signed in.")


class ProfileHandler(BaseHandler):
    @web_authenticated
    def get(self):
        joined = prettydate(self.current_user.created_at)
        return self.render_template(
            "account.html", title="Profile", user=self.current_user, text=f"Your account was created {joined}."
        )


class LoginHandler(BaseHandler):
    def get(self):
        next_url = safe_next_url(self.get_argument("next"))
        if self.current_user:
            return self.redirect(next_url)
        return self.render_template("login.html", next=next_url, username="", error=None)

    def post(self):
        username = (self.get_argument("username") or "").lower()
        password = self.get_argument("password", "", strip=False)
        next_url = safe_next_url(self.get_argument("next"))
        user = USERS.get(username)
        if not check_password(password, user.password_hash if user else NO_SUCH_USER_HASH) or user is None:
            return self.render_template(
                "login.html", next=next_url, username=username, error="Wrong username or password."
            )
        self.set_cookie(USER_COOKIE, user.username, secret=self.application.cookie_secret)
        return self.redirect(next_url)


class LogoutHandler(BaseHandler):
    def post(self):
        self.delete_cookie(USER_COOKIE)
        return self.redirect(self.application.login_url)


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[
        (r"^/$", HomeHandler),
        (r"^/profile$", ProfileHandler),
        (r"^/login$", LoginHandler),
        (r"^/logout$", LogoutHandler),
    ],
    template_loader=load_jinja2_env(TEMPLATES),
    base_handler=Jinja2Rendering,
    cookie_secret=os.environ.get("COOKIE_SECRET") or secrets.token_hex(32),
    login_url="/login",
)

if __name__ == "__main__":
    app.run()
