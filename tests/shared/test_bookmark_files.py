"""The Netscape bookmark file: reading it a piece at a time, its dates, what counts as one, and writing it back."""

from __future__ import annotations

import pytest

from shared.bookmarks.netscape import Bookmark, epoch_ms, looks_like_bookmarks, read_bookmarks
from shared.bookmarks.writer import file_pieces
from tests.support.bookmark_files import generated_file


@pytest.mark.parametrize(
    ("raw", "ms"),
    [
        ("1600000000", 1_600_000_000_000),
        ("1600000000123", 1_600_000_000_123),
        ("1600000000123456", 1_600_000_000_123),
        (" 1600000000 ", 1_600_000_000_000),
        ("0", None),
        ("", None),
        (None, None),
        ("-5", None),
        ("١٦٠٠", None),  # digits, but not ASCII ones
        ("soon", None),
    ],
)
def test_dates_in_seconds_milliseconds_and_microseconds_are_read_as_milliseconds(raw, ms):
    assert epoch_ms(raw) == ms


@pytest.mark.parametrize(
    ("head", "taken"),
    [
        (b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL>", True),
        (b"\xef\xbb\xbf\r\n  <!doctype netscape-bookmark-file-1>", True),
        (b"<html><body><dl><dt><a href='x'>x</a></dl>", False),
        (b"url,title\nhttps://e.com/,E\n", False),
        (b"\x89PNG\r\n\x1a\n", False),
    ],
)
def test_a_bookmark_file_is_one_that_begins_with_its_doctype(head, taken):
    assert looks_like_bookmarks(head) is taken


def test_a_file_read_a_byte_at_a_time_gives_the_same_bookmarks_as_read_whole():
    data = generated_file(300, seed=2)
    whole = list(read_bookmarks(iter([data])))
    assert len(whole) == 300
    assert list(read_bookmarks(data[n : n + 1] for n in range(len(data)))) == whole


def test_bytes_that_are_not_utf8_are_read_as_replacement_characters():
    data = b'<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="https://e.com/">caf\xe9</A></DL>'
    (bookmark,) = read_bookmarks(iter([data]))
    assert bookmark.title == "caf\ufffd"


def test_what_is_written_reads_back_the_same_quotes_brackets_and_ampersands_included():
    written = Bookmark(
        url='https://e.com/?q="a"&b=<c>',
        title='A "title" with <b>tags</b> & more',
        description="Line one & <two>\nline three",
        tags=["a", 'q"t'],
        created_at=1_600_000_000_000,
        updated_at=1_600_000_100_000,
        private=True,
        unread=False,
    )
    text = b"".join(file_pieces([written]))
    assert b"<b>" not in text and b'"a"' not in text
    (read,) = read_bookmarks(iter([text]))
    assert read == written


def test_a_large_export_comes_in_pieces_of_about_64_kb():
    bookmarks = [Bookmark(url=f"https://e.com/{n}", title="t" * 100) for n in range(5_000)]
    pieces = list(file_pieces(bookmarks))
    assert len(pieces) > 5 and all(len(piece) < 70_000 for piece in pieces)
    assert len(list(read_bookmarks(iter(pieces)))) == 5_000
