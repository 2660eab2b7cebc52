"""``/settings``: the user's profile (name, bio, location, website, email, picture), their setting for new links
(private or not), and API tokens.

The tokens part is shared/accounts.py's token pages, shown in this page: a new key is shown once,
never cached (``Cache-Control: no-store`` on every settings page).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from brubeck.auth import web_authenticated
from brubeck.responses import Response
from shared.accounts import TokenRevokeHandler, TokensHandler
from shared.models import field_errors

from .pages import PICTURE_POLICY, ReadifyPage
from .profiles import PROFILE_FIELDS, avatar_url, get_profile, save_profile, set_new_links_private

NEW_LINKS_SAID = {
    True: "New links are private now: only you see them until you make them public.",
    False: "New links are public now: they show on your profile and its feed unless you tick Private.",
}


class SettingsPage(ReadifyPage):
    """The settings page: the profile form (``values``, as saved unless given), the privacy form and the tokens."""

    template = "settings.html"
    content_security_policy = PICTURE_POLICY

    def get_template_context(self) -> dict[str, Any]:
        context = super().get_template_context()
        self.headers["Cache-Control"] = "no-store"
        if self.current_user:
            profile = get_profile(self.store, self.current_user.id)
            context["profile"] = profile
            context["avatar"] = avatar_url(profile)
            context["values"] = {name: getattr(profile, name) or "" for name in PROFILE_FIELDS}
        return context


class SettingsHandler(SettingsPage, TokensHandler):
    """``/settings``: GET shows it; POST saves the profile (each bad field's message beside it, nothing saved)."""

    @web_authenticated
    def post(self) -> Response:
        values = {name: self.get_argument(name, "") or "" for name in PROFILE_FIELDS}
        values["bio"] = (self.get_argument("bio", "", strip=False) or "").strip()
        try:
            save_profile(self.store, self.current_user.id, values)
        except ValidationError as error:
            return self._page(400, values=values, profile_errors=field_errors(error))
        self.flash("Your profile is saved.")
        return self.redirect("/settings", status_code=303)


class SettingsPrivacyHandler(SettingsPage, TokensHandler):
    """``POST /settings/privacy``: whether new links are private (a box ticked, value 1, or not sent)."""

    @web_authenticated
    def post(self) -> Response:
        ticked = self.get_argument("new_links_private", "") or ""
        if ticked not in ("", "1"):
            message = "Tick the box, or leave it empty."
            return self._page(400, privacy_errors={"new_links_private": message})
        set_new_links_private(self.store, self.current_user.id, bool(ticked))
        self.flash(NEW_LINKS_SAID[bool(ticked)])
        return self.redirect("/settings", status_code=303)


class SettingsTokensHandler(SettingsPage, TokensHandler):
    """``POST /settings/tokens``: a new API token with a label; the page shows its key once."""


class SettingsTokenRevokeHandler(TokenRevokeHandler):
    """``POST /settings/tokens/<id>/revoke``: delete one of the user's tokens, back to /settings."""

    after_revoke = "/settings"
