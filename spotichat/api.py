"""SpotiChat's JSON API: a room's messages (the long-poll) and listeners, and the busiest rooms.

Authenticated by the session cookie (a POST also needs the CSRF token in an
``X-CSRF-Token`` header) or ``Authorization: Token <key>``; 401 otherwise.
Errors are ``{"error": {"code", "message", "fields"}}``; 503 while Redis is away.
"""

from __future__ import annotations

from typing import Any

from brubeck import responses
from brubeck.auth import authenticated
from brubeck.cursors import BadCursor, bad_cursor
from brubeck.exceptions import HTTPError
from brubeck.responses import Response
from shared.chat.messages import Page, RateLimited
from shared.chat.names import BAD_CURSOR, BadInput, parse_cursor
from shared.chat.site import UsesChat
from shared.chat.waiters import TooManyPolls
from shared.web import APIHandler

from .tracks import is_track_id

NO_STORE = {"Cache-Control": "no-store"}


def json_response(payload: Any, status: int = 200) -> Response:
    """A JSON answer with the framework's headers, never cached (the same for every client: no cookie)."""
    return responses.json_response(payload, status, NO_STORE)


def too_many(limited: RateLimited) -> HTTPError:
    """429 with Retry-After, for too many messages or too many new rooms."""
    return HTTPError(429, limited.message, headers={"Retry-After": str(limited.retry_after)})


def page_response(room: str, page: Page) -> Response:
    """What a poll in ``room`` gets: ``{"messages": [...], "cursor": ..., "reset": ...}``."""
    return json_response(page.to_json())


class ChatAPIHandler(UsesChat, APIHandler):
    """Base of the API's handlers: the room of the path, JSON errors, never cached."""

    def room(self, track: str) -> str:
        if not is_track_id(track):
            raise HTTPError(400, "A room is a Spotify track id: 22 letters and digits.", {"track": "Not a track id."})
        return track

    def prepare(self) -> Response | None:
        self.headers["Cache-Control"] = "no-store"
        return None


class MessagesHandler(ChatAPIHandler):
    """``/api/rooms/<track>/messages``: GET polls (held until news; it keeps a joined user in the room and
    joins nobody), POST says something."""

    @authenticated
    def get(self, track: str) -> Response | None:
        room = self.room(track)
        cursor = self.get_argument("cursor", "") or ""
        if cursor:
            try:
                parse_cursor(cursor)
            except BadCursor:
                raise bad_cursor("cursor", BAD_CURSOR) from None
        self.chat.polled(room, self.current_user.username)
        if not cursor:
            return page_response(room, self.chat.messages.latest(room))
        waiters = self.chat.waiters
        assert waiters is not None, "create_app serves the chat"
        try:
            return waiters.wait(self, room, cursor, self.current_user.username, self.message.remote_addr)
        except TooManyPolls as refused:
            raise HTTPError(429, refused.message, headers={"Retry-After": str(refused.retry_after)}) from None

    @authenticated
    def post(self, track: str) -> Response:
        room = self.room(track)
        text = self._text()
        try:
            message = self.chat.messages.post(room, self.current_user.username, text)
        except BadInput as error:
            raise HTTPError(400, error.message, {error.field: error.message}) from None
        except RateLimited as limited:
            raise too_many(limited) from None
        return json_response({"message": message.to_json()}, 201)

    def _text(self) -> str:
        body = self.read_json()
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise HTTPError(400, 'The body must be {"text": "..."}.', {"text": "Give the message as text."})
        text: str = body["text"]
        return text


class JoinHandler(ChatAPIHandler):
    """``POST /api/rooms/<track>/join``: the user is in the room now (the script's first call); its listeners."""

    @authenticated
    def post(self, track: str) -> Response:
        room = self.room(track)
        try:
            self.chat.join(room, self.current_user.username)
        except RateLimited as limited:
            raise too_many(limited) from None
        listeners = self.chat.presence.listeners(room)
        return json_response({"listeners": listeners, "count": len(listeners)})


class ListenersHandler(ChatAPIHandler):
    """``/api/rooms/<track>/listeners``: who is in the room now."""

    @authenticated
    def get(self, track: str) -> Response:
        listeners = self.chat.presence.listeners(self.room(track))
        return json_response({"listeners": listeners, "count": len(listeners)})


class RoomsHandler(ChatAPIHandler):
    """``/api/rooms``: the busiest rooms, most listeners first."""

    @authenticated
    def get(self) -> Response:
        rooms = [{"track": room, "listeners": count} for room, count in self.chat.presence.busiest()]
        return json_response({"rooms": rooms})


class NotFoundHandler(ChatAPIHandler):
    """Any other path under ``/api/``: a JSON 404."""

    def _not_found(self, *args: str) -> Any:
        raise HTTPError(404, "There is no such API endpoint. Rooms are at /api/rooms.")

    get = post = put = patch = delete = _not_found
