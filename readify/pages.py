"""What Readify's pages share: paging links, a tag filter from the query, pictures from elsewhere."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from brubeck.exceptions import HTTPError
from brubeck.responses import PAGE_POLICY
from shared.paging import list_url
from shared.web import PageHandler

from .links import filter_tags

PAGE_SIZE = 50
PICTURE_POLICY = PAGE_POLICY.replace("img-src 'self' data:", "img-src 'self' data: https:")
"""The pages that show a profile picture load it from its https:// address (Gravatar's or the user's)."""


class ReadifyPage(PageHandler):
    """A Readify page: templates also see ``here``, the page's own path and query (where a button returns)."""

    def get_template_context(self) -> dict[str, Any]:
        context = super().get_template_context()
        context["here"] = self.message.uri
        return context

    def tag_filter(self) -> tuple[str, ...]:
        """The ``?tag=`` values in their stored form; 400 with what is wrong."""
        try:
            return filter_tags(self.get_arguments("tag"))
        except ValueError as error:
            raise HTTPError(400, sentence(error)) from None

    def cursor(self) -> str | None:
        return self.get_argument("before", "") or None

    @staticmethod
    def filter_links(path: str, tags: tuple[str, ...], search: str = "") -> dict[str, Any]:
        """What a list's template needs to narrow its filter: ``narrowing``, the query a tag's link adds its
        tag to (the tags and words filtered by now), and ``unfilter``, each tag with the list without it."""
        kept = [("tag", tag) for tag in tags] + ([("q", search)] if search else [])
        return {
            "narrowing": urlencode(kept) + "&" if kept else "",
            "unfilter": [(tag, list_url(path, tag=[t for t in tags if t != tag], q=search)) for tag in tags],
        }


def sentence(error: ValueError) -> str:
    """What a ValueError of the record modules says, as a sentence for a page."""
    message = str(error)
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")
