"""What every site's process is built from: base handlers and the app factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, JSONMessageHandler
from brubeck.responses import Response
from brubeck.templating import Jinja2Rendering
from brubeck.timekeeping import isoformat, prettydate
from conf import settings as suite

from .sessions import CurrentUserMixin
from .store import Store, open_store

SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"


class PageHandler(CurrentUserMixin, Jinja2Rendering):
    """Base for HTML pages: templates see ``current_user`` and ``prettydate``.

    A page rendered for a signed-in user is sent with ``Cache-Control: no-store``: it shows their data
    (their name at least), which no cache may keep, nor Back show after they signed out.
    """

    def get_template_context(self) -> dict[str, Any]:
        if self.current_user:
            self.headers["Cache-Control"] = "no-store"
        context = super().get_template_context()
        context.update(
            current_user=self.current_user,
            prettydate=prettydate,
            isoformat=isoformat,
            now=self.current_time,
            site=self.application.settings.get("site_title", ""),
            suite_url=f"http://localhost:{suite.SUITE_PORT}/",
        )
        return context

    def form_error(self, template: str, status: int, errors: dict[str, str], **context: Any) -> Response:
        """Show ``template`` again with a message next to each bad field."""
        return self.render_template(template, _status_code=status, errors=errors, **context)


class APIHandler(CurrentUserMixin, JSONMessageHandler):
    """Base for JSON API handlers: a valid ``Authorization: Token`` key signs in, and stands in for the CSRF token."""

    accepts_api_keys = True

    def authenticated_by_api_token(self) -> bool:
        return bool(self._api_key()) and self.current_user is not None


def template_env(site_templates: Path) -> Environment:
    """Jinja2 with autoescape: the site's templates first, then shared/templates.

    Times format as filters too (``{{ ms|isoformat }}``, ``{{ ms|prettydate(now) }}``): in a loop a
    filter costs less than calling the context's function, which Jinja checks on every call.
    """
    loader = ChoiceLoader([FileSystemLoader(str(site_templates)), FileSystemLoader(str(SHARED_TEMPLATES))])
    env = Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(isoformat=isoformat, prettydate=prettydate)
    return env


def configure_logging() -> None:
    """One line per record, level from LOG_LEVEL (a site's ``__main__`` calls it, never the app factory)."""
    logging.basicConfig(level=suite.LOG_LEVEL, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def mongrel2_connection(site: str) -> Mongrel2Connection:
    """The site's ZeroMQ pair to Mongrel2 (BRUBECK_PULL / BRUBECK_PUB override it); no socket opens before ``run()``."""
    spec = suite.SITES[site]
    return Mongrel2Connection(
        os.environ.get("BRUBECK_PULL") or spec.pull_addr,
        os.environ.get("BRUBECK_PUB") or spec.pub_addr,
        chroot=suite.MONGREL2_CHROOT,
    )


def make_app(
    site: str,
    handler_tuples: list[tuple[str, Any]],
    template_dir: Path,
    settings: dict[str, Any] | None = None,
    db: Store | None = None,
) -> Brubeck:
    """A site's Brubeck app on the suite's configuration, ``settings`` overriding it.

    ``settings`` holds Brubeck keywords (``cookie_secret``, ``cookie_secure``,
    ``msg_conn``, ``site_title``...); ``db`` an open store (default:
    ``open_store()``, MongoDB at ``MONGODB_URL`` or the SQLite file).  What
    they provide is neither read from the environment nor made: no database
    opened, no cookie secret written; Mongrel2's sockets open only in ``run()``.
    """
    config: dict[str, Any] = {
        "cookie_secure": suite.COOKIE_SECURE,
        "login_url": "/login",
        "base_handler": PageHandler,
        "site_url": suite.SITES[site].url.rstrip("/"),  # absolute URLs are built from this, never from Host
        **(settings or {}),
    }
    if "msg_conn" not in config:
        config["msg_conn"] = mongrel2_connection(site)
    if "cookie_secret" not in config:
        config["cookie_secret"] = suite.cookie_secret()  # may create var/cookie_secret
    if "template_loader" not in config:
        config["template_loader"] = template_env(template_dir)
    if db is None:
        db = open_store()
    return Brubeck(handler_tuples=handler_tuples, db_conn=db, **config)
