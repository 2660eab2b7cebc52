"""Listsurf for the tests: what a user does there, reading its list page, links put straight into its store.

:class:`ListsurfActions` is mixed into the in-process client, :class:`Browser`, and the
end-to-end one (tests/listsurf/live.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from brubeck.testing import TestClient, TestResponse
from listsurf.models import Link
from listsurf.store import links as listsurf_links
from shared.store import Store
from tests.support.pages import MAX_PAGES, AccountActions, follow_older, status_of, with_query

LINK_ID = re.compile(r'action="/delete_item/([0-9a-f]{24})"')
API_KEYS = {"id", "url", "title", "created_at", "updated_at"}


class ListsurfActions(AccountActions):
    """A Listsurf user's browser: knows the site's forms, its list pages and its API."""

    def add(self, url: str, title: str = "") -> Any:
        """POST the add-a-link form."""
        return self.post_form("/add_item", {"url": url, "title": title})

    def api(self, **params: Any) -> Any:
        return self.get(with_query("/api", params))

    def stored(self) -> list[dict[str, Any]]:
        """Every link of this user, newest first, as the API gives them."""
        response = self.api(limit=200)
        assert status_of(response) == 200, response.text
        assert response.json()["next"] is None
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def ids_on(self, path: str) -> list[str]:
        """The link ids listed on a page, top to bottom."""
        response = self.get(path)
        assert status_of(response) == 200, response.text
        return LINK_ID.findall(response.text)

    def html_pages(self, path: str = "/") -> list[list[str]]:
        """Follow the list page's "Older" links from ``path``: the link ids of each page."""
        return follow_older(self, path, LINK_ID.findall)

    def api_pages(self, url: str, **request: Any) -> list[list[dict[str, Any]]]:
        """Follow the API's ``next`` URLs, as given, from ``url``: the items of each page."""
        pages: list[list[dict[str, Any]]] = []
        next_url: str | None = url
        while next_url:
            assert len(pages) < MAX_PAGES, "the API's next URLs never end"
            response = self.get(next_url, **request)
            assert status_of(response) == 200, response.text
            body = response.json()
            assert body["num_items"] == len(body["items"])
            pages.append(body["items"])
            next_url = body["next"]
        return pages


class Browser(ListsurfActions, TestClient):
    """A browser on the site, in this process (tests/support/inprocess.py)."""

    def request(self, method: str, url: str, **kwargs: Any) -> TestResponse:
        """Also takes an absolute URL (the API's ``next``): its host goes in the Host header."""
        parts = urlsplit(url)
        if parts.netloc:
            kwargs["headers"] = {"Host": parts.netloc, **(kwargs.get("headers") or {})}
            url = parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, url, **kwargs)


def ids(pages: list[list[dict[str, Any]]]) -> list[str]:
    """The ids of the API items of every page, in order."""
    return [item["id"] for page in pages for item in page]


def listed(page: str) -> list[dict[str, str]]:
    """The links on a list page: shown title, href, host and "saved ..." words, top to bottom."""
    items = re.findall(
        r'<a class="title" href="([^"]*)" rel="noopener noreferrer">([^<]*)</a>\s*'
        r'<span class="meta"><span class="host">([^<]*)</span> · saved <time datetime="[^"]+">([^<]*)</time>',
        page,
    )
    return [
        {"href": unescape(href), "title": unescape(title), "host": unescape(host), "when": when}
        for href, title, host, when in items
    ]


def bookmarklet_for(origin: str) -> str:
    """The bookmarklet that opens the add-a-link form on ``origin``."""
    return (
        f"javascript:location.href='{origin}/add_item?u='+encodeURIComponent(location.href)"
        "+'&t='+encodeURIComponent(document.title)"
    )


def store_links(store: Store, owner: str, rows: Iterable[tuple[str, str, int]]) -> list[Link]:
    """Save ``(url, title, updated_at)`` rows for ``owner`` straight into the site's store."""
    links = []
    for url, title, updated_at in rows:
        draft = Link(id="pending", owner=owner, url=url, title=title, created_at=updated_at, updated_at=updated_at)
        link = draft.model_copy(update={"id": Link.id_for(owner, draft.url)})
        listsurf_links(store).upsert(link)
        links.append(link)
    return links


def newest_first(links: Iterable[Link]) -> list[str]:
    """Link ids in the order the site must list them."""
    return [link.id for link in sorted(links, key=lambda link: (link.updated_at, link.id), reverse=True)]
