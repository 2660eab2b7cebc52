"""What every site's process is built from: base handlers and the app factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader

from brubeck.application import Brubeck
from brubeck.connections import Mongrel2Connection
from brubeck.handlers import JSONMessageHandler, WebMessageHandler
from brubeck.responses import Response
from brubeck.templating import Jinja2Rendering
from brubeck.timekeeping import isoformat, prettydate

from .sessions import CurrentUserMixin
from .settings import Settings, Site
from .store import Store, open_store

SHARED_TEMPLATES = Path(__file__).resolve().parent / "templates"


class SiteApp(Brubeck):
    """A site of the suite: a Brubeck app with the services its handlers use as typed attributes.

    ``config`` is the suite's settings, ``site`` where this site is, ``store`` its database, ``title`` its
    name on every page.  ``db_conn`` (Brubeck's name) is the store too.  ``api_example`` is a URL of the
    site's JSON API to call with a key, and ``api_reference`` the path of a page describing it (the tokens
    page shows both); None when the site has none.
    """

    api_example: str | None = None
    api_reference: str | None = None

    def __init__(self, config: Settings, site: Site, store: Store, title: str, **brubeck: Any) -> None:
        super().__init__(db_conn=store, **brubeck)
        self.config = config
        self.site = site
        self.store = store
        self.title = title


class SiteHandler(CurrentUserMixin, WebMessageHandler):
    """What every handler of a site has: its application, typed (``self.store`` is its database)."""

    application: SiteApp


FLASH_COOKIE = "flash"
FLASH_MAX_AGE_S = 60


class PageHandler(SiteHandler, Jinja2Rendering):
    """Base for HTML pages: templates see ``current_user`` and ``prettydate``, and ``flash``, what the action
    before this page says (:meth:`flash`).

    A page rendered for a signed-in user is sent with ``Cache-Control: no-store``: it shows their data
    (their name at least), which no cache may keep, nor Back show after they signed out.
    """

    def flash(self, text: str, undo: str | None = None, fields: dict[str, str] | None = None) -> None:
        """Say ``text`` on the next page this browser shows (one line, announced to screen readers), with an
        Undo button that posts ``fields`` to the path ``undo``.  Kept in a signed cookie for a minute."""
        value = {"text": text, "undo": undo, "fields": fields or {}}
        self.set_cookie(FLASH_COOKIE, value, secret=self.application.cookie_secret, max_age=FLASH_MAX_AGE_S)

    def _flashed(self) -> dict[str, Any] | None:
        """What :meth:`flash` said before this page (then forgotten), or None."""
        if FLASH_COOKIE not in self.message.cookies:
            return None
        self.delete_cookie(FLASH_COOKIE)
        value = self.get_cookie(FLASH_COOKIE, secret=self.application.cookie_secret, max_age=FLASH_MAX_AGE_S)
        return value if isinstance(value, dict) and isinstance(value.get("text"), str) else None

    def get_template_context(self) -> dict[str, Any]:
        if self.current_user:
            self.headers["Cache-Control"] = "no-store"
        context = super().get_template_context()
        context.update(
            flash=self._flashed(),
            current_user=self.current_user,
            prettydate=prettydate,
            isoformat=isoformat,
            now=self.current_time,
            site=self.application.title,
            suite_url=self.application.config.suite_url,
            path=self.message.path,
            api_example=self.application.api_example,
            api_reference=self.application.api_reference,
        )
        return context

    def form_error(self, template: str, status: int, errors: dict[str, str], **context: Any) -> Response:
        """Show ``template`` again with a message next to each bad field."""
        return self.render_template(template, _status_code=status, errors=errors, **context)


class APIHandler(SiteHandler, JSONMessageHandler):
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


def configure_logging(level: str) -> None:
    """One line per record at ``level`` (a site's ``__main__`` calls it, never the app factory)."""
    logging.basicConfig(level=level, format="%(asctime)s %(name)s %(levelname)s %(message)s")


def mongrel2_connection(site: Site, chroot: Path | None = None) -> Mongrel2Connection:
    """The site's ZeroMQ pair to Mongrel2; no socket opens before ``run()``."""
    return Mongrel2Connection(site.pull_addr, site.pub_addr, chroot=str(chroot or "."))


def make_app(
    settings: Settings,
    site: str,
    title: str,
    handler_tuples: list[tuple[str, Any]],
    template_dir: Path | None,
    store: Store | None = None,
    app_class: type[SiteApp] = SiteApp,
    **brubeck: Any,
) -> SiteApp:
    """The named site's app on ``settings``: its routes, its templates (with shared/templates), ``store``
    (default: the one ``settings`` name, opened now), and Brubeck keywords (``base_handler``...), an
    ``app_class`` (a :class:`SiteApp` with more services) taking the keywords it adds.

    Nothing is read from the environment and no socket opens before ``run()``.
    """
    address = settings.site(site)
    config: dict[str, Any] = {
        "cookie_secret": settings.cookie_secret,
        "cookie_secure": settings.cookie_secure,
        "login_url": "/login",
        "base_handler": PageHandler,
        "template_loader": template_env(template_dir) if template_dir else None,
        **brubeck,
    }
    if "msg_conn" not in config:
        config["msg_conn"] = mongrel2_connection(address, settings.mongrel2_chroot)
    if store is None:
        store = open_store(settings.mongodb_url, settings.data_dir)
    return app_class(settings, address, store, title, handler_tuples=handler_tuples, **config)
