"""What every site's process is built from: base handlers and the app factory."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from brubeck.connections import Mongrel2Connection
from brubeck.request_handling import Brubeck, JSONMessageHandler
from brubeck.templating import Jinja2Rendering
from brubeck.timekeeping import isoformat, prettydate
from conf import settings

from . import db_conn
from .sessions import CurrentUserMixin

SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"


class PageHandler(CurrentUserMixin, Jinja2Rendering):
    """Base for HTML pages: templates see ``current_user`` and ``prettydate``."""

    def get_template_context(self) -> dict[str, Any]:
        context = super().get_template_context()
        context.update(
            current_user=self.current_user,
            prettydate=prettydate,
            isoformat=isoformat,
            now=self.current_time,
            site=self.application.settings.get("site_title", ""),
            suite_url=f"http://localhost:{settings.SUITE_PORT}/",
        )
        return context

    def form_error(self, template: str, status: int, errors: dict[str, str], **context: Any) -> Any:
        """Show ``template`` again with a message next to each bad field."""
        return self.render_template(template, _status_code=status, errors=errors, **context)


class APIHandler(CurrentUserMixin, JSONMessageHandler):
    """Base for JSON API handlers."""


def template_env(site_templates: Path) -> Environment:
    """Jinja2 with autoescape: the site's templates first, then shared/templates."""
    loader = ChoiceLoader([FileSystemLoader(str(site_templates)), FileSystemLoader(str(SHARED_TEMPLATES))])
    return Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)


def configure_logging() -> None:
    """One line per record, level from LOG_LEVEL."""
    logging.basicConfig(level=settings.LOG_LEVEL, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def make_app(site: str, handler_tuples: list[tuple[str, Any]], template_dir: Path, **extra: Any) -> Brubeck:
    """A site's Brubeck app, connected to Mongrel2 and the database.

    BRUBECK_PULL / BRUBECK_PUB override the site's ZeroMQ addresses (tests
    and extra machines use them).
    """
    configure_logging()
    spec = settings.SITES[site]
    connection = Mongrel2Connection(
        os.environ.get("BRUBECK_PULL") or spec.pull_addr, os.environ.get("BRUBECK_PUB") or spec.pub_addr
    )
    db = db_conn.connect()
    db_conn.prepare(db)
    extra.setdefault("base_handler", PageHandler)
    return Brubeck(
        msg_conn=connection,
        handler_tuples=handler_tuples,
        template_loader=template_env(template_dir),
        cookie_secret=settings.cookie_secret(),
        cookie_secure=settings.COOKIE_SECURE,
        login_url="/login",
        db_conn=db,
        **extra,
    )
