"""Readify for the tests: what a reader does there, and reading its pages.

:class:`ReadifyActions` is mixed into the in-process client (:class:`Reader`, tests/readify/test_pages.py) and the
end-to-end one (tests/readify/test_live.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from typing import Any
from xml.etree import ElementTree

from brubeck.testing import TestClient
from tests.support.pages import AccountActions, elements, follow_older, status_of

ATOM = "{http://www.w3.org/2005/Atom}"
ITEM = re.compile(r'<li id="link-([0-9a-f]{24})"')
TITLE = re.compile(r'<a class="title" href="[^"]*" rel="noopener noreferrer">([^<]*)</a>')
NOTES = re.compile(r'<p class="notes">([^<]*)</p>')


class ReadifyActions(AccountActions):
    """A Readify user's browser: its forms and buttons."""

    def add(self, url: str, title: str = "", tags: str = "", private: bool = False, notes: str = "") -> Any:
        """POST the add-a-link form."""
        data = {"url": url, "title": title, "tags": tags, "description": notes, **({"private": "1"} if private else {})}
        return self.post_form("/add_item", data)

    def act(self, link_id: str, action: str, next_url: str = "/", form_url: str = "/") -> Any:
        """Press a link's like / archive / delete... button (its form on ``form_url``)."""
        return self.post_form(f"/items/{link_id}/{action}", {"next": next_url}, form_url=form_url)

    def ids_on(self, path: str) -> list[str]:
        """The ids of the user's links listed on a page, top to bottom."""
        response = self.get(path)
        assert status_of(response) == 200, response.text
        return ITEM.findall(response.text)

    def pages(self, path: str, read: Callable[[str], list[str]] | None = None) -> list[list[str]]:
        """Follow the "Older" links from ``path``: what ``read`` finds on each page (default: the link ids)."""
        return follow_older(self, path, read or ITEM.findall)


class Reader(ReadifyActions, TestClient):
    """A browser on Readify, in this process."""


def titles(page: str) -> list[str]:
    """The titles of the links listed on a page, top to bottom (unescaped)."""
    return [unescape(title) for title in TITLE.findall(page)]


def notes(page: str) -> list[str]:
    """The notes shown with the links of a page, top to bottom (unescaped)."""
    return [unescape(text) for text in NOTES.findall(page)]


def buttons(page: str, link_id: str) -> list[str]:
    """The actions of one link's buttons on a page (like, archive, delete...)."""
    return re.findall(rf'action="/items/{link_id}/([a-z]+)"', page)


def tag_hrefs(page: str) -> list[str]:
    return [a["href"] for a in elements(page, "a") if a.get("class") == "tag"]


def feed_entries(xml: str) -> tuple[ElementTree.Element, list[dict[str, Any]]]:
    """An Atom feed parsed: its root, and each entry's id, title, link, updated, tags and summary."""
    root = ElementTree.fromstring(xml)
    assert root.tag == f"{ATOM}feed"
    entries = [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "href": entry.find(f"{ATOM}link").get("href"),  # type: ignore[union-attr]
            "updated": entry.findtext(f"{ATOM}updated"),
            "tags": [c.get("term") for c in entry.findall(f"{ATOM}category")],
            "summary": entry.findtext(f"{ATOM}summary"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]
    return root, entries


IMPORT_JOB = re.compile(r'data-state="(\w+)" data-done="(\d+)" data-total="(\d+)"')


def import_progress(page: str) -> tuple[str, int, int]:
    """What an import's page says: its state, the bookmarks read so far, and of how many."""
    found = IMPORT_JOB.search(page)
    assert found, page[:500]
    return found.group(1), int(found.group(2)), int(found.group(3))
