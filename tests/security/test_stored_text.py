"""Text a person reads is what it looks like (issue "Hardening, second round", item 8): invisible and
direction-changing characters are taken out of titles, names and messages (and refused in URLs), while
every script and emoji sequence survives; a host name is stored and shown in its ASCII (punycode) form,
so that a look-alike (Cyrillic е, an ideographic full stop) cannot pass for another site (a site's list shows
it so: tests/listsurf/test_pages.py)."""

from __future__ import annotations

import pytest

from shared.chat.names import clean_text
from shared.models import ApiToken, normalize_url, plain_text

INVISIBLE = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200b", "\u200e", "\u2060", "\ufeff", "\u061c"]
KEPT = [
    "Привет мир",
    "東京の地図",
    "👨\u200d👩\u200d👧 family",
    "نمی\u200cخواهم",
    "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
]


@pytest.mark.parametrize("mark", INVISIBLE)
def test_invisible_and_direction_changing_characters_are_taken_out_of_text(mark: str) -> None:
    assert plain_text(f"Good{mark} title{mark}") == "Good title"
    assert clean_text(f"hello{mark} there") == "hello there"
    assert ApiToken.issue("ann", f"lap{mark}top")[0].name == "laptop"


@pytest.mark.parametrize("text", KEPT)
def test_every_script_and_emoji_sequence_survives(text: str) -> None:
    assert plain_text(text) == text
    assert clean_text(text) == text


@pytest.mark.parametrize("mark", ["\u202e", "\u200b", "\ufeff"])
def test_a_url_with_an_invisible_character_is_refused(mark: str) -> None:
    with pytest.raises(ValueError, match="invisible"):
        normalize_url(f"https://example.com/pay{mark}moc.elgoog")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("https://example.com\u3002evil.com/a", "https://example.com.evil.com/a"),
        ("https://\u0435xample.com/", "https://xn--xample-2of.com/"),
        ("bücher.de/katalog", "https://xn--bcher-kva.de/katalog"),
        ("https://EXAMPLE.com/Path", "https://example.com/Path"),
    ],
)
def test_host_names_are_stored_in_their_ascii_form(typed: str, stored: str) -> None:
    assert normalize_url(typed) == stored
