"""SpotiChat's pages: the home page (paste a track, the busiest rooms) and a track's room."""

from __future__ import annotations

from brubeck.auth import web_authenticated
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from shared.chat.messages import RateLimited
from shared.chat.names import MAX_TEXT, BadInput
from shared.chat.site import UsesChat
from shared.web import PageHandler

from .tracks import NotATrack, is_track_id, spotify_url, track_id


class HomeHandler(UsesChat, PageHandler):
    """``/``: paste a track to go to its room (``?track=``); the busiest rooms."""

    def get(self) -> Response:
        pasted = self.get_argument("track", None)
        errors: dict[str, str] = {}
        if pasted is not None:
            try:
                return self.redirect(f"/rooms/{track_id(pasted)}")
            except NotATrack as error:
                errors["track"] = str(error)
        return self.render_template(
            "home.html",
            _status_code=400 if errors else 200,
            values={"track": pasted or ""},
            errors=errors,
            rooms=self.chat.presence.busiest(),
        )


class RoomPage(UsesChat, PageHandler):
    """What the room's page and its forms share: the room from the path, the page with a message."""

    def _room(self, track: str) -> str:
        if not is_track_id(track):
            raise HTTPError(404, "There is no such room: a room's address ends with a Spotify track id.")
        return track

    def _page(self, track: str, status: int = 200, error: str = "", text: str = "") -> Response:
        page = self.chat.messages.latest(track)
        listeners = self.chat.presence.listeners(track)
        return self.render_template(
            "room.html",
            _status_code=status,
            track=track,
            spotify_url=spotify_url(track),
            messages=page.messages,
            cursor=page.cursor,
            listeners=listeners,
            joined=self.current_user.username in listeners,
            error=error,
            text=text,
            max_text=MAX_TEXT,
        )

    def _refused(self, room: str, limited: RateLimited, text: str = "") -> Response:
        self.headers["Retry-After"] = str(limited.retry_after)
        return self._page(room, 429, limited.message, text)


class RoomHandler(RoomPage):
    """``/rooms/<track>``: the conversation, who is there, a message box (posted by the page's script, or
    as a form without it)."""

    @web_authenticated
    def get(self, track: str) -> Response:
        return self._page(self._room(track))

    @web_authenticated
    def post(self, track: str) -> Response:
        room = self._room(track)
        text = self.get_argument("text", "", strip=False) or ""
        try:
            self.chat.messages.post(room, self.current_user.username, text)
        except BadInput as error:
            return self._page(room, 400, error.message, text)
        except RateLimited as limited:
            return self._refused(room, limited, text)
        return self.redirect(f"/rooms/{room}", status_code=303)


class JoinRoomHandler(RoomPage):
    """``POST /rooms/<track>/join``: the room page's Join button (a form: it works without the script)."""

    @web_authenticated
    def post(self, track: str) -> Response:
        room = self._room(track)
        try:
            self.chat.join(room, self.current_user.username)
        except RateLimited as limited:
            return self._refused(room, limited)
        return self.redirect(f"/rooms/{room}", status_code=303)
