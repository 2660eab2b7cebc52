"""Which Spotify track a pasted text names (spotichat/tracks.py)."""

from __future__ import annotations

import pytest

from spotichat.tracks import NotATrack, spotify_url, track_id

ID = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    "pasted",
    [
        f"spotify:track:{ID}",
        f"  spotify:track:{ID}\n",
        f"https://open.spotify.com/track/{ID}",
        f"https://open.spotify.com/track/{ID}/",
        f"https://open.spotify.com/track/{ID}?si=1a2b3c4d5e6f7a8b",
        f"https://open.spotify.com/intl-de/track/{ID}?si=abc&context=spotify%3Aplaylist%3Ax",
        f"https://open.spotify.com/intl-pt-br/track/{ID}#top",
        f"http://open.spotify.com/track/{ID}",
        f"open.spotify.com/track/{ID}",
        f"HTTPS://OPEN.SPOTIFY.COM/track/{ID}",
    ],
)
def test_every_form_of_a_track_link_names_its_track(pasted: str):
    assert track_id(pasted) == ID


@pytest.mark.parametrize(
    ("pasted", "says"),
    [
        ("", "Paste a track first"),
        ("   ", "Paste a track first"),
        (ID, "not a Spotify track"),
        (f"spotify:album:{ID}", "not a Spotify track"),
        (f"https://open.spotify.com/album/{ID}", "not a Spotify track"),
        (f"https://open.spotify.com/track/{ID[:-1]}", "not a Spotify track"),
        (f"https://open.spotify.com/track/{ID}x", "not a Spotify track"),
        (f"https://open.spotify.com/track/{ID}/extra", "not a Spotify track"),
        (f"https://open.spotify.com.evil.example/track/{ID}", "not a Spotify track"),
        (f"https://evil.example/open.spotify.com/track/{ID}", "not a Spotify track"),
        (f"https://open.spotify.com:8443/track/{ID}", "not a Spotify track"),
        (f"https://open.spotify.com:port/track/{ID}", "not a Spotify track"),
        (f"ftp://open.spotify.com/track/{ID}", "not a Spotify track"),
        (f"javascript:alert(1)//open.spotify.com/track/{ID}", "not a Spotify track"),
        (f"https://open.spotify.com/intl-/track/{ID}", "not a Spotify track"),
        ("https://[::1/track", "not a Spotify track"),
        ("never gonna give you up", "not a Spotify track"),
    ],
)
def test_anything_else_is_refused_with_what_to_paste(pasted: str, says: str):
    with pytest.raises(NotATrack) as refused:
        track_id(pasted)
    assert says in str(refused.value)
    assert "open.spotify.com/track/" in str(refused.value)


def test_the_tracks_spotify_page():
    assert spotify_url(ID) == f"https://open.spotify.com/track/{ID}"
