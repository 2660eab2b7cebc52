"""One link at a time: ``/add_item`` (and the bookmarklet), ``/edit_item/<id>``, ``POST /items/<id>/<action>``."""

from __future__ import annotations

from functools import cached_property
from urllib.parse import urlencode

from pydantic import ValidationError

from brubeck.auth import safe_next_url, web_authenticated
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from brubeck.timekeeping import calendar_day
from shared.bookmarklet import bookmarklet
from shared.limits import ListFull
from shared.models import MAX_TITLE_LENGTH, field_errors

from .fetching import PageInfoCaller, TitleUnavailable, fetches_titles
from .links import AlreadySaved, apply_action, edit_link, find_saved, get_link, save_link
from .models import MAX_DESCRIPTION_LENGTH, ReadifyLink
from .pages import ReadifyPage
from .profiles import get_profile
from .tags import MAX_TAGS, parse_tags

NO_SUCH_LINK = "There is no such link in your Readify."


def already_saved(error: AlreadySaved) -> dict[str, str]:
    """The form's message for a URL saved already."""
    shown = f" (“{error.link.title}”)" if error.link and error.link.title else ""
    return {"url": f"You have saved this URL already{shown}. Edit that link instead."}


class LinkForm(ReadifyPage):
    """The form of a link's fields: URL, title, tags, notes (``description``), private."""

    template = "add_item.html"

    def submitted(self) -> dict[str, str]:
        """The form's values as typed (tags as text; private as "1" or "")."""
        values = {name: self.get_argument(name, "") or "" for name in ("url", "title", "tags", "description")}
        return {**values, "private": "1" if self.get_argument("private", "") else ""}

    def form(self, values: dict[str, str], errors: dict[str, str], status: int = 200, **context: object) -> Response:
        link = bookmarklet(self.application.site.url, "url", "title")
        return self.render_template(
            self.template,
            _status_code=status,
            values=values,
            errors=errors,
            bookmarklet=link,
            max_notes=MAX_DESCRIPTION_LENGTH,
            **context,
        )


class AddItemHandler(PageInfoCaller, LinkForm):
    """``/add_item``: the form (pre-filled from ``url`` and ``title``, as the bookmarklet opens it; its Private box
    ticked as the reader's setting for new links says, or as the link is when the URL is saved already); POST
    saves (a link saved without a title gets its page's, once the page fetcher has read it), then goes to
    ``next`` (a path of this site; the reading list by default)."""

    @cached_property
    def new_links_private(self) -> bool:
        return get_profile(self.store, self.current_user.id).new_links_private

    def form(self, values: dict[str, str], errors: dict[str, str], status: int = 200, **context: object) -> Response:
        return super().form(values, errors, status, new_links_private=self.new_links_private, **context)

    @web_authenticated
    def get(self) -> Response:
        url = self.get_argument("url", "") or ""
        title = (self.get_argument("title", "") or "")[:MAX_TITLE_LENGTH]  # page titles can be longer than allowed
        try:
            saved = find_saved(self.store, self.current_user.id, url) if url else None
        except ValueError:  # not a URL: the form says so when it is sent
            saved = None
        private = saved.private if saved else self.new_links_private
        return self.form({"url": url, "title": title, "private": "1" if private else ""}, {})

    @web_authenticated
    def post(self) -> Response:
        values = self.submitted()
        try:
            private = True if values["private"] else None  # unticked: a saved link keeps its flag (edit to change it)
            link, created = save_link(
                self.store,
                self.current_user.id,
                values["url"],
                values["title"],
                values["tags"],
                private,
                description=values["description"],
                limit=self.application.config.links_per_account,
            )
        except ValidationError as error:
            return self.form(values, saving_errors(error, values["tags"]), status=400)
        except ListFull as full:
            return self.form(values, {"url": full.sentence("Readify")}, status=403)
        except AlreadySaved as error:
            return self.form(values, already_saved(error), status=409)
        self.fetch_title_later(link)
        self.flash("Saved." if created else f"Already saved on {calendar_day(link.created_at)}; updated.")
        return self.redirect(safe_next_url(self.get_argument("next", "")), status_code=303)


def saving_errors(error: ValidationError, typed_tags: str) -> dict[str, str]:
    """The add form's messages; tags fine by themselves are too many only with those of the saved link."""
    errors = field_errors(error)
    if "tags" in errors:
        try:
            parse_tags(typed_tags)
        except ValueError:
            return errors
        errors["tags"] = (
            f"You have saved this URL already, and with its tags these make more than {MAX_TAGS}."
            " Edit that link instead."
        )
    return errors


def form_values(link: ReadifyLink) -> dict[str, str]:
    values = {"url": link.url, "title": link.title, "tags": ", ".join(link.tags), "description": link.description}
    return {**values, "private": "1" if link.private else ""}


class OwnLinkForm(LinkForm):
    """The edit form of one of the owner's links (anyone else's id: 404)."""

    template = "edit_item.html"

    def own_link(self, link_id: str) -> ReadifyLink:
        link = get_link(self.store, self.current_user.id, link_id)
        if link is None:
            raise HTTPError(404, NO_SUCH_LINK)
        return link

    def edit_form(self, link: ReadifyLink, errors: dict[str, str], status: int = 200) -> Response:
        """The form with the link as saved (and the refresh button where the page fetcher is set up)."""
        next_url = safe_next_url(self.get_argument("next", ""))
        can_fetch = fetches_titles(self.application.config)
        return self.form(form_values(link), errors, status=status, link=link, next=next_url, can_fetch=can_fetch)


class EditItemHandler(OwnLinkForm):
    """``/edit_item/<id>``: the owner's link in the form; POST saves it."""

    @web_authenticated
    def get(self, link_id: str) -> Response:
        return self.edit_form(self.own_link(link_id), {})

    @web_authenticated
    def post(self, link_id: str) -> Response:
        link = self.own_link(link_id)
        values = self.submitted()
        next_url = safe_next_url(self.get_argument("next", ""))
        try:
            edited = edit_link(
                self.store,
                self.current_user.id,
                link_id,
                values["url"],
                values["title"],
                values["tags"],
                bool(values["private"]),
                values["description"],
            )
        except ValidationError as error:
            return self.form(values, field_errors(error), status=400, link=link, next=next_url)
        except AlreadySaved as error:
            return self.form(values, already_saved(error), status=409, link=link, next=next_url)
        if edited is None:  # deleted for good meanwhile
            raise HTTPError(404, NO_SUCH_LINK)
        return self.redirect(next_url, status_code=303)


ACTION_SAID = {
    "like": "Liked.",
    "unlike": "No longer liked.",
    "archive": "Archived",
    "unarchive": "Back in your reading list.",
    "delete": "Moved to the trash",
    "undelete": "Restored.",
}
"""What each action says afterwards (archive and delete name the link, and offer their undoing)."""
UNDO = {"archive": "unarchive", "delete": "undelete"}
STAYS = ("like", "unlike")
"""The actions after which the link is still on the page the button was on: the page comes back at its row."""


class ItemActionHandler(ReadifyPage):
    """``POST /items/<id>/<action>``: like, unlike, archive, unarchive, delete or undelete one of the
    user's links, then back to the page the button was on (a path of this site only), at the link's row
    while it is still listed there, saying what was done (with Undo when the link left the list)."""

    @web_authenticated
    def post(self, link_id: str, action: str) -> Response:
        link = apply_action(self.store, self.current_user.id, link_id, action)
        if link is None:
            raise HTTPError(404, NO_SUCH_LINK)
        next_url = safe_next_url(self.get_argument("next", ""))
        if action in UNDO:
            said = f"{ACTION_SAID[action]}: {link.title or link.url}."
            self.flash(said, f"/items/{link.id}/{UNDO[action]}", {"next": next_url})
        else:
            self.flash(ACTION_SAID[action])
        return self.redirect(f"{next_url}#link-{link.id}" if action in STAYS else next_url, status_code=303)


class RefreshTitleHandler(PageInfoCaller, OwnLinkForm):
    """``POST /items/<id>/refresh``: the title from the link's page, now (the edit page's button); back to the
    edit page, or the edit page saying why there is no title."""

    @web_authenticated
    def post(self, link_id: str) -> Response:
        if not fetches_titles(self.application.config):
            raise HTTPError(404, "Fetching titles is not set up on this server.")
        link = self.own_link(link_id)
        try:
            self.refresh_title(link)
        except TitleUnavailable as error:
            return self.edit_form(link, {"title": error.message}, status=error.status)
        next_url = safe_next_url(self.get_argument("next", ""))
        return self.redirect(f"/edit_item/{link.id}?{urlencode({'next': next_url})}", status_code=303)
