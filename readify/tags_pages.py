"""``/tags``: the user's tags with their counts; rename one (onto another: the two merge), or remove it."""

from __future__ import annotations

from brubeck.auth import web_authenticated
from brubeck.exceptions import HTTPError
from brubeck.responses import Response

from .links import remove_tag, rename_tag, tag_counts
from .pages import ReadifyPage, sentence


class TagsPage(ReadifyPage):
    """The tags page, and the tag a form names."""

    def page(self, status: int = 200, errors: dict[str, str] | None = None, typed: str = "") -> Response:
        counts = tag_counts(self.store, self.current_user.id)
        return self.render_template("tags.html", _status_code=status, counts=counts, errors=errors or {}, typed=typed)

    def known_tag(self) -> str:
        """The ``tag`` field: one of the user's tags, else 404."""
        tag = (self.get_argument("tag", "") or "").lower()
        if tag not in dict(tag_counts(self.store, self.current_user.id)):
            raise HTTPError(404, "You have no links with that tag.")
        return tag


class TagsHandler(TagsPage):
    """``/tags``: every tag of the user's links (out of the trash) and how many links carry it."""

    @web_authenticated
    def get(self) -> Response:
        return self.page()


class TagRenameHandler(TagsPage):
    """``POST /tags/rename`` (``tag``, ``new``): rename the tag on every link; onto a tag in use, they merge."""

    @web_authenticated
    def post(self) -> Response:
        tag = self.known_tag()
        new = self.get_argument("new", "") or ""
        try:
            rename_tag(self.store, self.current_user.id, tag, new)
        except ValueError as error:
            return self.page(400, {tag: sentence(error)}, typed=new)
        return self.redirect("/tags", status_code=303)


class TagRemoveHandler(TagsPage):
    """``POST /tags/remove`` (``tag``): take the tag off every link."""

    @web_authenticated
    def post(self) -> Response:
        remove_tag(self.store, self.current_user.id, self.known_tag())
        return self.redirect("/tags", status_code=303)
