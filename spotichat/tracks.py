"""Which Spotify track a pasted text names: ``spotify:track:<id>`` or an open.spotify.com track link."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

TRACK_ID = re.compile(r"[0-9A-Za-z]{22}")
TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
LOCALE = re.compile(r"intl-[a-z]{2}(-[a-z]{2})?", re.IGNORECASE)  # open.spotify.com/intl-de/track/...
HELP = (
    "Paste a Spotify track: its link (https://open.spotify.com/track/…, from Share › Copy Song Link) "
    "or its URI (spotify:track:…)."
)


class NotATrack(ValueError):
    """The text names no Spotify track; the message says what to paste."""


def track_id(pasted: str) -> str:
    """The 22-character id of the track that ``pasted`` names, or :class:`NotATrack`."""
    text = pasted.strip()
    found = TRACK_URI.fullmatch(text)
    if found:
        return found.group(1)
    if not text:
        raise NotATrack("Paste a track first. " + HELP)
    try:
        parts = urlsplit(text if "://" in text else "https://" + text)
        port = parts.port
    except ValueError:  # a bad port or IPv6 address
        raise NotATrack("That is not a Spotify track. " + HELP) from None
    segments = [segment for segment in parts.path.split("/") if segment]
    if segments and LOCALE.fullmatch(segments[0]):
        segments = segments[1:]
    if (
        parts.scheme.lower() not in ("http", "https")
        or (parts.hostname or "") != "open.spotify.com"
        or port is not None
        or len(segments) != 2
        or segments[0] != "track"
        or not TRACK_ID.fullmatch(segments[1])
    ):
        raise NotATrack("That is not a Spotify track. " + HELP)
    return segments[1]


def is_track_id(text: str) -> bool:
    return bool(TRACK_ID.fullmatch(text))


def spotify_url(track: str) -> str:
    """The track's page on open.spotify.com."""
    return f"https://open.spotify.com/track/{track}"
