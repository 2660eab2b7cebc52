#!/usr/bin/env python
"""Credentials checked on every request: ``UserHandlingMixin`` and ``@authenticated``.

Run Mongrel2 with demos/mongrel2.conf (see demos/README.md), then
``python -m demos.auth`` (from the project root) and post the demo user's
name and password:

    curl -d username=jd -d password=foo http://localhost:6767/brubeck

which answers ``jd logged in successfully!``.  A wrong or missing
username or password gets a 401 ``Wrong username or password.``

``get_current_user`` reads ``username`` and ``password`` from each request
and returns the user when they match; ``@authenticated`` calls
``auth_error()`` when it returns nothing.  The demo user lives in memory,
its bcrypt hash made at start-up.
"""

import logging
import os

from brubeck.auth import UserHandlingMixin, authenticated
from brubeck.connections import Mongrel2Connection
from brubeck.models import User
from brubeck.request_handling import Brubeck, WebMessageHandler

log = logging.getLogger("demos.auth")

# A hard-coded user for the demo.
demo_user = User.create_user("jd", "foo")


class DemoHandler(WebMessageHandler, UserHandlingMixin):
    default_content_type = "text/plain; charset=utf-8"
    # The password comes with every request and no cookie signs anyone in, so a forged form gains nothing.
    csrf_protect = False

    def get_current_user(self):
        """The demo user if this request carries its username and password, else ``None``."""
        username = self.get_argument("username")
        password = self.get_argument("password", "", strip=False)
        # The hash is checked whatever the name, so a wrong name takes as long as a wrong password.
        password_ok = demo_user.check_password(password)
        if username != demo_user.username or not password_ok:
            log.info("Auth failed for username %r", username)
            return None
        log.info("Access granted for user: %s", username)
        return demo_user

    def auth_error(self):
        """What ``@authenticated`` answers without a user: a plain-text 401."""
        self.set_body("Wrong username or password.", status_code=401)
        return self.render()

    @authenticated
    def post(self):
        """Needs ``username`` and ``password``."""
        self.set_body(f"{self.current_user.username} logged in successfully!")
        return self.render()


app = Brubeck(
    msg_conn=Mongrel2Connection(
        os.environ.get("BRUBECK_PULL", "tcp://127.0.0.1:9999"), os.environ.get("BRUBECK_PUB", "tcp://127.0.0.1:9998")
    ),
    handler_tuples=[(r"^/brubeck$", DemoHandler)],
)

if __name__ == "__main__":
    app.run()
