"""A room's messages view: the same page for everyone waiting in a room with the same cursor, so one
rendering answers all their held requests at once.

The page shows the room's latest messages (newest at the bottom) and, when more arrived after the cursor
than that window holds, every one of them instead (the next page goes on from there): across refreshes no
message is skipped.  Its META refresh asks again, at once, with the cursor of the last message shown.
"""

from __future__ import annotations

from typing import Any

from brubeck.responses import Response, page_response
from brubeck.template_engines import MUSTACHE
from brubeck.templating import MustacheRendering
from brubeck.timekeeping import curtime, isoformat, prettydate
from shared.chat.messages import LATEST, Message, Page
from shared.chat.names import parse_cursor
from shared.chat.service import Chat
from shared.web import SiteApp

from .policy import NO_STORE, POLICY


def view_response(app: SiteApp, chat: Chat, room: str, page: Page) -> Response:
    """The messages view of ``app`` after ``page`` (what is new after a cursor, the latest messages, or
    nothing new)."""
    shown, cursor = page.messages, page.cursor
    if not page.reset:
        window = chat.messages.latest(room)
        if not shown or (window.messages and parse_cursor(window.messages[0].id) <= parse_cursor(shown[0].id)):
            shown, cursor = window.messages, window.cursor  # the window holds everything new
    here = chat.presence.listeners(room)
    context = {
        "site": app.title,
        "title": f"#{room}",
        "room": room,
        "refresh": f"/rooms/{room}/messages?cursor={cursor}#bottom",
        "messages": lines(shown),
        "missed": page.reset,
        "earlier": f"/rooms/{room}/earlier?before={shown[0].id}" if len(shown) >= LATEST else "",
        "here": here,
        "count": len(here),
        "anyone_here": bool(here),
    }
    body = MUSTACHE.render(app.template_env_for(MustacheRendering), "messages", context)
    return page_response(body, headers=NO_STORE, policy=POLICY)


def lines(messages: list[Message]) -> list[dict[str, Any]]:
    """What a template shows of each message: who, what, when in words (and exactly, for ``<time>``)."""
    now = curtime()
    return [
        {
            "said": message.type == "message",
            "user": message.user,
            "text": message.text,
            "when": prettydate(message.ts, now),
            "iso": isoformat(message.ts),
        }
        for message in messages
    ]
