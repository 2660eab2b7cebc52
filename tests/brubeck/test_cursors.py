"""brubeck.cursors: positions written as URL-safe cursors and read back, every cursor of a format's
pattern read as a position, anything else a BadCursor answered with one 400."""

from urllib.parse import quote

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brubeck.cursors import TEXT, BadCursor, CursorFormat, bad_cursor, number, token

PAGES = CursorFormat(number(), token("[0-9a-f]{24}"))
ITEMS = CursorFormat(number(), TEXT)
STREAM = CursorFormat(number(19), number(19))
FORMATS = [PAGES, ITEMS, STREAM]


def test_a_position_is_written_with_its_parts_joined_by_dashes():
    assert PAGES.encode((1700000000000, "0123456789abcdef01234567")) == "1700000000000-0123456789abcdef01234567"
    assert STREAM.encode((1700000000000, 3)) == "1700000000000-3"
    assert STREAM.decode("1700000000000-3") == (1700000000000, 3)


@settings(deadline=None)
@given(st.integers(0, 10**15 - 1), st.text(min_size=1))
def test_any_text_goes_there_and_back_url_safe(stamp, text):
    cursor = ITEMS.encode((stamp, text))
    assert quote(cursor, safe="") == cursor
    assert ITEMS.decode(cursor) == (stamp, text)


@pytest.mark.parametrize("cursor_format", FORMATS)
@settings(max_examples=200, deadline=None)  # correctness, not speed: a busy machine must not fail it
@given(data=st.data())
def test_every_cursor_of_the_pattern_is_a_position(cursor_format, data):
    cursor = data.draw(st.from_regex(cursor_format.pattern, fullmatch=True))
    position = cursor_format.decode(cursor)
    assert len(position) == len(cursor_format.parts)


@pytest.mark.parametrize(
    "cursor",
    ["", "garbage", "123", "-1", "1-", "1-2-3-4", "1.5-0", " 1-0", "1-0\n", "٣-0", "1" * 20 + "-0", "MTIzOmFiYw"],
)
def test_anything_else_is_a_bad_cursor(cursor):
    for cursor_format in FORMATS:
        with pytest.raises(BadCursor):
            cursor_format.decode(cursor)
        assert not jsonschema_rs.validator_for({"type": "string", "pattern": cursor_format.pattern}).is_valid(cursor)


def test_a_position_the_format_cannot_hold_is_refused():
    with pytest.raises(ValueError):
        PAGES.encode((-1, "0123456789abcdef01234567"))
    with pytest.raises(ValueError):
        PAGES.encode((1, "not hex"))
    with pytest.raises(ValueError):
        STREAM.encode((1,))
    with pytest.raises(ValueError):
        ITEMS.encode((1, ""))


def test_a_bad_cursor_is_a_400_naming_the_argument():
    error = bad_cursor("after")
    assert (error.status, error.fields) == (400, {"after": "after must be the next cursor of an earlier page."})
    assert bad_cursor("before", "That page link is broken.").message == "That page link is broken."
