"""A user's public page, ``/<username>``, and its Atom feed, ``/<username>/feed``: links neither private
nor in the trash, a page at a time, by tag."""

from __future__ import annotations

from brubeck.cursors import BadCursor, bad_cursor
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from shared.models import User
from shared.paging import BROKEN_PAGE_LINK, list_url, older_url
from shared.users import find_user

from .atom import public_feed
from .links import public_links, saved_among
from .pages import PAGE_SIZE, PICTURE_POLICY, ReadifyPage
from .profiles import avatar_url, get_profile


class PublicPage(ReadifyPage):
    """A page about a user anyone may see."""

    def person(self, username: str) -> User:
        user = find_user(self.store, username)
        if user is None:
            raise HTTPError(404, "There is no one here by that name.")
        return user


class ProfileHandler(PublicPage):
    """``/<username>``: picture, name, bio, location, website, and the public links; a signed-in visitor
    can save any of them (with its tags; private if their setting for new links says so) to their own
    Readify, and sees "Saved" on those they have."""

    content_security_policy = PICTURE_POLICY

    def get(self, username: str) -> Response:
        user = self.person(username)
        tags = self.tag_filter()
        cursor = self.cursor()
        try:
            page = public_links(self.store, user.id, limit=PAGE_SIZE, cursor=cursor, tags=tags)
        except BadCursor:
            raise bad_cursor("before", BROKEN_PAGE_LINK) from None
        profile = get_profile(self.store, user.id)
        viewer = self.current_user
        saved = saved_among(self.store, viewer.id, [link.url for link in page.items]) if viewer else set()
        saves_private = viewer is not None and get_profile(self.store, viewer.id).new_links_private
        return self.render_template(
            "profile.html",
            saved=saved,
            saves_private=saves_private,
            person=user,
            profile=profile,
            avatar=avatar_url(profile),
            links=page.items,
            tags=tags,
            older=older_url(f"/{user.id}", page.next_cursor, tag=tags),
            newest=list_url(f"/{user.id}", tag=tags),
            feed=list_url(f"/{user.id}/feed", tag=tags),  # the feed of what the page shows
            first_page=cursor is None,
            **self.filter_links(f"/{user.id}", tags),
        )


class FeedHandler(PublicPage):
    """``/<username>/feed``: the newest public links as an Atom feed (``?tag=`` filters it too)."""

    def get(self, username: str) -> Response:
        user = self.person(username)
        links = public_links(self.store, user.id, limit=PAGE_SIZE, tags=self.tag_filter()).items
        profile = get_profile(self.store, user.id)
        body = public_feed(self.application.site.url, profile, links, user.created_at)
        self.headers["Content-Type"] = "application/atom+xml; charset=utf-8"
        self.set_body(body)
        return self.render()
