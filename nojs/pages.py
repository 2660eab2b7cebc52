"""no.js's pages: the rooms, a room's frames (its messages view and its form), earlier messages.

Every page is a Mustache template under a policy that runs no script; a page holds at most one waiting
request (the messages view, in its frame), and posting is a form of its own that is answered at once.
"""

from __future__ import annotations

from typing import Any

from brubeck.auth import web_authenticated
from brubeck.cursors import BadCursor, bad_cursor
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from brubeck.templating import MustacheRendering
from shared.chat.messages import RateLimited
from shared.chat.names import BAD_CURSOR, MAX_TEXT, BadInput, check_room, clean_text
from shared.chat.site import UsesChat
from shared.chat.waiters import TooManyPolls

from .policy import NO_STORE, POLICY
from .view import lines, view_response

__all__ = ["POLICY", "EarlierHandler", "HomeHandler", "JoinHandler", "MessagesHandler", "NoJSPage", "RoomHandler"]


class NoJSPage(UsesChat, MustacheRendering):
    """Base of no.js's pages (and its error pages): Mustache, no script, the chat."""

    content_security_policy = POLICY

    def get_template_context(self) -> dict[str, Any]:
        if self.current_user:
            self.headers["Cache-Control"] = NO_STORE["Cache-Control"]
        context = super().get_template_context()
        user = self.current_user
        context.update(
            site=self.application.title, suite_url=self.application.config.suite_url, user=user and user.username
        )
        return context


class HomeHandler(NoJSPage):
    """``/``: the busiest rooms, and a form to open one by name (``?room=``)."""

    def get(self) -> Response:
        typed = self.get_argument("room", None)
        error = ""
        if typed is not None:
            name = typed.strip().lower()
            try:
                return self.redirect(f"/rooms/{check_room(name)}")
            except BadInput as refused:
                error = refused.message
        rooms = [{"name": name, "count": count} for name, count in self.chat.presence.busiest()]
        return self.render_template(
            "home",
            _status_code=400 if error else 200,
            title="Rooms",
            rooms=rooms,
            any_rooms=bool(rooms),
            typed=typed or "",
            error=error,
        )


class RoomHandler(NoJSPage):
    """``/rooms/<room>``: a frameset, the messages view above the form (links to each without frames)."""

    @web_authenticated
    def get(self, room: str) -> Response:
        return self.render_template("room", title=f"#{room}", room=room)


class MessagesHandler(NoJSPage):
    """``/rooms/<room>/messages?cursor=``: the messages view.  With the cursor of the last message it showed,
    it is held until a message after it arrives (or the poll times out), then answered with the new view."""

    @web_authenticated
    def get(self, room: str) -> Response | None:
        cursor = self.get_argument("cursor", "") or ""
        self.chat.polled(room, self.current_user.username)
        if not cursor:
            return view_response(self.application, self.chat, room, self.chat.messages.latest(room))
        waiters = self.chat.waiters
        assert waiters is not None, "create_app serves the chat"
        try:
            return waiters.wait(self, room, cursor, self.current_user.username, self.message.remote_addr)
        except BadCursor:
            raise bad_cursor("cursor", BAD_CURSOR) from None
        except TooManyPolls as refused:
            raise HTTPError(429, refused.message, headers={"Retry-After": str(refused.retry_after)}) from None


class EarlierHandler(NoJSPage):
    """``/rooms/<room>/earlier?before=``: the messages before the first one a page showed (no refresh here)."""

    @web_authenticated
    def get(self, room: str) -> Response:
        before = self.get_argument("before", "") or ""
        try:
            page = self.chat.messages.before(room, before)
        except BadCursor:
            raise bad_cursor("before", BAD_CURSOR) from None
        earlier = f"/rooms/{room}/earlier?before={page.cursor}" if page.messages and not page.reset else ""
        return self.render_template(
            "earlier", title=f"#{room}: earlier", room=room, messages=lines(page.messages), earlier=earlier
        )


class RoomForm(NoJSPage):
    """What the room's lower frame and its buttons share: the form page, with a message when refused."""

    def _form(self, room: str, status: int = 200, error: str = "", text: str = "") -> Response:
        joined = self.current_user.username in self.chat.presence.listeners(room)
        return self.render_template(
            "say",
            _status_code=status,
            title=f"#{room}",
            room=room,
            error=error,
            text=text,
            max_text=MAX_TEXT,
            joined=joined,
        )


class SayHandler(RoomForm):
    """``/rooms/<room>/say``: the form that posts a message (POST says it, and comes back to the form)."""

    @web_authenticated
    def get(self, room: str) -> Response:
        return self._form(room)

    @web_authenticated
    def post(self, room: str) -> Response:
        text = self.get_argument("text", "", strip=False) or ""
        user = self.current_user.username
        try:
            clean_text(text)  # refused before anything is written, joining included
            self.chat.join(room, user)  # saying something in a room is being there
            self.chat.messages.post(room, user, text)
        except BadInput as refused:
            return self._form(room, 400, refused.message, text)
        except RateLimited as limited:
            self.headers["Retry-After"] = str(limited.retry_after)
            return self._form(room, 429, limited.message, text)
        return self.redirect(f"/rooms/{room}/say", status_code=303)


class JoinHandler(RoomForm):
    """``POST /rooms/<room>/join``: the form's Join button (being in a room changes only on a POST)."""

    @web_authenticated
    def post(self, room: str) -> Response:
        try:
            self.chat.join(room, self.current_user.username)
        except RateLimited as limited:
            self.headers["Retry-After"] = str(limited.retry_after)
            return self._form(room, 429, limited.message)
        return self.redirect(f"/rooms/{room}/say", status_code=303)
