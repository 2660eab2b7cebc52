"""Readify's lists of links: the dashboard (``/``), ``/liked``, ``/archived`` and ``/trash``."""

from __future__ import annotations

from typing import ClassVar

from brubeck.auth import web_authenticated
from brubeck.cursors import BadCursor, bad_cursor
from brubeck.responses import Response
from shared.paging import BROKEN_PAGE_LINK, list_url, older_url

from .links import TRASH_DAYS, list_links, purge_trash
from .pages import PAGE_SIZE, ReadifyPage


class LinkListPage(ReadifyPage):
    """A list of the user's links in ``view``, newest saved first, with a tag filter and a search."""

    view: ClassVar[str]
    path: ClassVar[str]
    heading: ClassVar[str]
    empty: ClassVar[str]

    @web_authenticated
    def get(self) -> Response:
        tags = self.tag_filter()
        search = (self.get_argument("q", "") or "")[:200]
        cursor = self.cursor()
        if self.view == "trash":  # what has been there 30 days goes for good now (no one sees it any more)
            purge_trash(self.store, self.current_user.id)
        try:
            page = list_links(
                self.store,
                self.current_user.id,
                limit=PAGE_SIZE,
                view=self.view,
                cursor=cursor,
                tags=tags,
                search=search,
            )
        except BadCursor:
            raise bad_cursor("before", BROKEN_PAGE_LINK) from None
        return self.render_template(
            "list.html",
            links=page.items,
            view=self.view,
            path=self.path,
            heading=self.heading,
            empty=self.empty,
            tags=tags,
            search=search,
            older=older_url(self.path, page.next_cursor, tag=tags, q=search),
            newest=list_url(self.path, tag=tags, q=search),
            first_page=cursor is None,
            trash_days=TRASH_DAYS,
            **self.filter_links(self.path, tags, search),
        )


class DashboardHandler(LinkListPage):
    """``/``: what is left to read (neither archived nor in the trash)."""

    view, path, heading = "unread", "/", "Your reading list"
    empty = "Nothing to read. Add a link, or use the Readify bookmarklet on any page."


class LikedHandler(LinkListPage):
    """``/liked``: the links the user liked."""

    view, path, heading, empty = "liked", "/liked", "Liked", "No liked links yet."


class ArchivedHandler(LinkListPage):
    """``/archived``: the links the user has read and put away."""

    view, path, heading, empty = "archived", "/archived", "Archived", "Nothing archived yet."


class TrashHandler(LinkListPage):
    """``/trash``: deleted links, restorable for 30 days; opening it deletes for good those older than that
    (they are out of every list, edit form and action already: :func:`readify.links.get_link`)."""

    view, path, heading, empty = "trash", "/trash", "Trash", "The trash is empty."
