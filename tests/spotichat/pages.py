"""SpotiChat for the tests: what a listener does there, with either test client (in-process or through Mongrel2)."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from brubeck.testing import CSRF_INPUT
from tests.support.pages import AccountActions, status_of, with_query

LISTENERS = re.compile(r'<ul id="listeners">(.*?)</ul>', re.S)
TRACK = "4uLU6hMCjMI75M1A2tKUQC"
OTHER_TRACK = "7GhIk7Il098yCjg4BQjzvb"


class ListenerActions(AccountActions):
    """A SpotiChat user: the room page's CSRF token, then the API as the page's script uses it."""

    request: Any
    _csrf: str | None = None

    def room_token(self) -> str:
        """The CSRF token of a room page's form (what the script sends in X-CSRF-Token; one per browser)."""
        if self._csrf is None:
            page = self.get(f"/rooms/{TRACK}")
            assert status_of(page) == 200, page.text
            found = CSRF_INPUT.search(page.text)
            assert found, "no CSRF field on the room page"
            self._csrf = found.group(1)
        return self._csrf

    def say(self, text: str, track: str = TRACK, **kwargs: Any) -> Any:
        """POST a message as the room page's script does."""
        headers = {"X-CSRF-Token": self.room_token(), **kwargs.pop("headers", {})}
        return self.post(f"/api/rooms/{track}/messages", json={"text": text}, headers=headers, **kwargs)

    def join(self, track: str = TRACK) -> Any:
        """Join the room as the room page's script does first (polls keep a joined user there)."""
        return self.post(f"/api/rooms/{track}/join", headers={"X-CSRF-Token": self.room_token()})

    def poll(self, cursor: str | None = None, track: str = TRACK, **kwargs: Any) -> Any:
        """GET the room's messages after ``cursor`` (held until news), or the latest without one."""
        return self.get(with_query(f"/api/rooms/{track}/messages", {"cursor": cursor} if cursor else {}), **kwargs)

    def listeners(self, track: str = TRACK) -> list[str]:
        response = self.get(f"/api/rooms/{track}/listeners")
        assert status_of(response) == 200, response.text
        names: list[str] = response.json()["listeners"]
        return names


def listed_on(page: str) -> list[str]:
    """The names the room page lists as listening now."""
    found = LISTENERS.search(page)
    assert found, "no listeners on the page"
    return [unescape(name) for name in re.findall(r"<li>([^<]*)</li>", found.group(1))]
