"""Readify's pages: routes and application (its JSON API is another process, readify.api)."""

from __future__ import annotations

from pathlib import Path

from shared.accounts import account_routes
from shared.bookmarks.pages import bookmark_routes
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp, make_app

from .api_reference import ApiReferenceHandler
from .fetching import REPLY_ROUTE
from .imports import BOOKMARKS
from .items import AddItemHandler, EditItemHandler, ItemActionHandler, RefreshTitleHandler
from .lists import ArchivedHandler, DashboardHandler, LikedHandler, TrashHandler
from .people import FeedHandler, ProfileHandler
from .settings_pages import SettingsHandler, SettingsPrivacyHandler, SettingsTokenRevokeHandler, SettingsTokensHandler
from .tags_pages import TagRemoveHandler, TagRenameHandler, TagsHandler

LINK_ID = r"(?P<link_id>[0-9a-f]{24})"
USERNAME = r"(?P<username>[A-Za-z0-9._-]{2,30})"
ROUTES = [
    (r"/$", DashboardHandler),
    (r"/liked$", LikedHandler),
    (r"/archived$", ArchivedHandler),
    (r"/trash$", TrashHandler),
    (r"/add_item$", AddItemHandler),
    (rf"/edit_item/{LINK_ID}$", EditItemHandler),
    (rf"/items/{LINK_ID}/(?P<action>like|unlike|archive|unarchive|delete|undelete)$", ItemActionHandler),
    (rf"/items/{LINK_ID}/refresh$", RefreshTitleHandler),
    (r"/tags$", TagsHandler),
    *bookmark_routes(BOOKMARKS),
    (r"/tags/rename$", TagRenameHandler),
    (r"/tags/remove$", TagRemoveHandler),
    (r"/api$", ApiReferenceHandler),
    (r"/settings$", SettingsHandler),
    (r"/settings/privacy$", SettingsPrivacyHandler),
    (r"/settings/tokens$", SettingsTokensHandler),
    (r"/settings/tokens/(?P<token_id>[0-9a-f]{64})/revoke$", SettingsTokenRevokeHandler),
    *account_routes(),
    REPLY_ROUTE,  # the page fetcher's replies (no page: HTTP requests get 405)
    (rf"/{USERNAME}$", ProfileHandler),  # last: every page above takes its name first (shared.users reserves them)
    (rf"/{USERNAME}/feed$", FeedHandler),
]
TEMPLATES = Path(__file__).resolve().parent / "templates"


def create_app(settings: Settings, store: Store | None = None) -> SiteApp:
    """Readify's pages on ``settings``, with ``store`` (default: the one the settings name, opened now)."""
    app = make_app(settings, "readify", "Readify", ROUTES, TEMPLATES, store)
    app.api_example = f"{settings.site('readify-api').url}/links"  # the API is another process, on its own host
    app.api_reference = "/api"
    return app
