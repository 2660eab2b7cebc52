"""no.js for the tests: what a person does there (the form, the join button) and how its views are read, with
either test client (in-process or through Mongrel2)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from tests.support.pages import AccountActions, status_of

ROOM = "lobby"
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')
SAID = re.compile(r'<li class="said"><strong>([^<]*)</strong> <time[^>]*>[^<]*</time><br>([^<]*)</li>')


class Chatter(AccountActions):
    """A no.js user: its form page, its join button, its messages view."""

    get: Any

    def say(self, text: str, room: str = ROOM) -> Any:
        """Post the form of the room's lower frame."""
        return self.post_form(f"/rooms/{room}/say", {"text": text}, form_url=f"/rooms/{room}/say")

    def join(self, room: str = ROOM) -> Any:
        return self.post_form(f"/rooms/{room}/join", {}, form_url=f"/rooms/{room}/say")

    def view(self, cursor: str | None = None, room: str = ROOM, **kwargs: Any) -> Any:
        """The messages view: at once without a cursor, held until news with one."""
        query = f"?cursor={cursor}" if cursor else ""
        return self.get(f"/rooms/{room}/messages{query}", **kwargs)


def refresh_url(page: str) -> str:
    """Where the page's META refresh sends the browser next."""
    found = REFRESH.search(page)
    assert found, "no META refresh on the page"
    return unescape(found.group(1))


def cursor_of(page: str) -> str:
    """The cursor the page's refresh asks with."""
    return refresh_url(page).split("cursor=", 1)[1].split("#", 1)[0]


def said(page: str) -> list[tuple[str, str]]:
    """``(user, text)`` of every message the view shows, top to bottom."""
    return [(unescape(user), unescape(text)) for user, text in SAID.findall(page)]


def read(response: Any) -> str:
    assert status_of(response) == 200, response.text
    return str(response.text)
