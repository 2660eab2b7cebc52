"""Listsurf's pages and API: a class per page, like the original demo."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from brubeck.auth import authenticated, web_authenticated
from brubeck.cursors import BadCursor, bad_cursor
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from brubeck.timekeeping import calendar_day
from shared.api import int_argument, next_url
from shared.bookmarklet import bookmarklet
from shared.limits import ListFull
from shared.models import MAX_TITLE_LENGTH, field_errors
from shared.paging import BROKEN_PAGE_LINK, older_url
from shared.web import APIHandler, PageHandler

from .links import AlreadySaved, delete_link, edit_link, get_link, list_links, save_link

PAGE_SIZE = 50
NO_SUCH_LINK = "There is no such link in your list."
API_DEFAULT_LIMIT = 50
API_MAX_LIMIT = 200


class ListHandler(PageHandler):
    """``/``: the user's links, newest first, 50 a page, with search."""

    @web_authenticated
    def get(self) -> Response:
        search = (self.get_argument("q", "") or "")[:200]
        cursor = self.get_argument("before", "") or None
        try:
            page = list_links(self.store, self.current_user.id, limit=PAGE_SIZE, cursor=cursor, search=search)
        except BadCursor:
            raise bad_cursor("before", BROKEN_PAGE_LINK) from None
        older = older_url("/", page.next_cursor, q=search)
        return self.render_template(
            "list.html", links=page.items, search=search, older=older, first_page=cursor is None
        )


class AddItemHandler(PageHandler):
    """``/add_item``: a form (pre-filled by the bookmarklet from ``u`` and ``t``), and a POST that saves."""

    def _form(self, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
        link = bookmarklet(self.application.site.url)
        return self.render_template(
            "add_item.html", _status_code=status, values=values, errors=errors, bookmarklet=link
        )

    @web_authenticated
    def get(self) -> Response:
        title = (self.get_argument("t", "") or "")[:MAX_TITLE_LENGTH]  # page titles can be longer than allowed
        values = {"url": self.get_argument("u", "") or "", "title": title}
        return self._form(values, {})

    @web_authenticated
    def post(self) -> Response:
        values = {"url": self.get_argument("url", "") or "", "title": self.get_argument("title", "") or ""}
        try:
            link, created = save_link(
                self.store,
                self.current_user.id,
                values["url"],
                values["title"],
                limit=self.application.config.links_per_account,
            )
        except ValidationError as error:
            return self._form(values, field_errors(error), status=400)
        except ListFull as full:
            return self._form(values, {"url": full.sentence()}, status=403)
        self.flash("Saved." if created else f"Already saved on {calendar_day(link.created_at)}; updated.")
        return self.redirect("/", status_code=303)


class EditItemHandler(PageHandler):
    """``/edit_item/<id>``: the user's link in a form (URL and title); POST saves it."""

    def _form(self, link_id: str, values: dict[str, str], errors: dict[str, str], status: int = 200) -> Response:
        return self.render_template(
            "edit_item.html", _status_code=status, link_id=link_id, values=values, errors=errors
        )

    @web_authenticated
    def get(self, link_id: str) -> Response:
        link = get_link(self.store, self.current_user.id, link_id)
        if link is None:
            raise HTTPError(404, NO_SUCH_LINK)
        return self._form(link_id, {"url": link.url, "title": link.title}, {})

    @web_authenticated
    def post(self, link_id: str) -> Response:
        values = {"url": self.get_argument("url", "") or "", "title": self.get_argument("title", "") or ""}
        try:
            edited = edit_link(self.store, self.current_user.id, link_id, values["url"], values["title"])
        except ValidationError as error:
            return self._form(link_id, values, field_errors(error), status=400)
        except AlreadySaved:
            return self._form(link_id, values, {"url": "You have saved this URL already: edit that link."}, 409)
        if edited is None:
            raise HTTPError(404, NO_SUCH_LINK)
        self.flash("Saved.")
        return self.redirect("/", status_code=303)


class DeleteItemHandler(PageHandler):
    """``/delete_item/<id>``: POST deletes one of the user's links; its Undo saves it again."""

    @web_authenticated
    def post(self, link_id: str) -> Response:
        link = delete_link(self.store, self.current_user.id, link_id)
        if link is None:
            raise HTTPError(404, NO_SUCH_LINK)
        self.flash(f"Deleted: {link.title or link.url}.", "/add_item", {"url": link.url, "title": link.title})
        return self.redirect("/", status_code=303)


class ApiHandler(APIHandler):
    """``/api``: the user's links as JSON, newest first, with a cursor."""

    @authenticated
    def get(self) -> Response:
        limit = int_argument(self, "limit", 1, API_MAX_LIMIT, API_DEFAULT_LIMIT)
        since = int_argument(self, "since", 0, None, None)
        cursor = self.get_argument("cursor", "") or None
        try:
            page = list_links(self.store, self.current_user.id, limit=limit, cursor=cursor, since=since)
        except BadCursor:
            raise bad_cursor() from None
        later = None
        if page.next_cursor:
            query = [("limit", limit), ("cursor", page.next_cursor), *([("since", since)] if since is not None else [])]
            later = next_url(self, "/api", query)
        self.set_body({"num_items": len(page.items), "items": [link.to_api() for link in page.items], "next": later})
        return self.render()


class ApiNotFoundHandler(APIHandler):
    """Any other path under ``/api/``: a JSON 404, as API clients expect."""

    def _not_found(self, *args: str) -> Any:
        raise HTTPError(404, "There is no such API endpoint. The links are at /api.")

    get = post = put = patch = delete = _not_found
