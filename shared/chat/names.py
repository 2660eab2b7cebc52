"""What the chat core accepts (room names, cursors, message text) and where a room lives in Redis."""

from __future__ import annotations

import re
from dataclasses import dataclass

from brubeck.cursors import CursorFormat, number
from shared.models import without_invisible

ROOM_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
CURSORS = CursorFormat(number(19), number(19))
"""A chat cursor is a message's id in its room's Redis stream, ``<ms>-<seq>``: the last message seen."""
BAD_CURSOR = "The cursor must be the id of a message, like 1700000000000-0."
MAX_TEXT = 1000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # every control character but TAB and newline

StreamId = tuple[int, int]
CHAT_SITES = "chat-sites"
"""A set of the namespace of every chat site on this Redis (each notes its own when someone joins a room), so
that whatever must reach every site (an account deleted on any site of the suite) finds them; no namespace's
key can be this one (theirs all have a colon)."""


class BadInput(ValueError):
    """Input the chat refuses, with a message for a person; ``field`` names what was wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_room(name: str) -> str:
    """``name`` if it can name a room (1 to 64 letters, digits, ``-`` or ``_``)."""
    if not ROOM_NAME.fullmatch(name):
        raise BadInput("room", "A room name is 1 to 64 letters, digits, dashes or underscores.")
    return name


def parse_cursor(raw: str) -> StreamId:
    """A cursor (the id of the last message seen, ``<ms>-<seq>``) as numbers; ``BadCursor`` when it is not one
    (answered with ``brubeck.cursors.bad_cursor("cursor", BAD_CURSOR)``)."""
    ms, seq = CURSORS.decode(raw)
    return ms, seq


def format_id(stream_id: StreamId) -> str:
    """The stream id (and cursor) ``<ms>-<seq>``."""
    return CURSORS.encode(stream_id)


def clean_text(text: str) -> str:
    """A message's text without surrounding space or invisible characters: 1 to 1,000 characters, no
    control characters."""
    cleaned = without_invisible(text).strip()
    if not cleaned:
        raise BadInput("text", "Write something first: a message cannot be empty.")
    if len(cleaned) > MAX_TEXT:
        raise BadInput("text", f"A message is at most {MAX_TEXT:,} characters; this one has {len(cleaned):,}.")
    if CONTROL.search(cleaned):
        raise BadInput("text", "A message cannot contain control characters.")
    return cleaned


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one chat site (``namespace``), so that two sites never share a room."""

    namespace: str

    def messages(self, room: str) -> str:
        """The room's stream (:class:`BadInput` for a name no room can have)."""
        return f"{self.namespace}:room:{check_room(room)}:messages"

    def presence(self, room: str) -> str:
        """The room's listeners (:class:`BadInput` for a name no room can have)."""
        return f"{self.namespace}:room:{check_room(room)}:presence"

    def rate(self, user: str) -> str:
        return f"{self.namespace}:rate:{user}"

    def user_rooms(self, user: str) -> str:
        """A sorted set: the rooms ``user`` is in, scored by when they were last seen there (ms)."""
        return f"{self.namespace}:user-rooms:{user}"

    def new_rooms(self, user: str) -> str:
        """The rooms ``user`` made lately (bounded: see :mod:`.messages`)."""
        return f"{self.namespace}:new-rooms:{user}"

    @property
    def rooms(self) -> str:
        """A sorted set: each room with someone in it, scored by its last poll (ms)."""
        return f"{self.namespace}:rooms"

    @property
    def channel(self) -> str:
        """The one pub/sub channel of the site: each message on it names a room with news."""
        return f"{self.namespace}:wake"
