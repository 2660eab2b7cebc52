"""Tags: how people type them (comma- or space-separated) and the one form they are stored in."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_TAGS = 20
MAX_TAG_LENGTH = 50
EMOJI = "\u2600-\u27bf\U0001f000-\U0001faff\u200d\ufe0f"
"""Emoji, as a regular expression's character ranges: pictographs and symbols, with the joiner and the
variation selector that sequences (👩‍💻) are made of."""
_TAG = re.compile(rf"[^\W_]|[-_.{EMOJI}]")  # a letter or digit (any script), an emoji, or - _ .
_SEPARATORS = re.compile(r"[,\s]+")


def check_tag(raw: str) -> str:
    """``raw`` as a stored tag: trimmed and lower-cased; ValueError saying what is wrong."""
    tag = raw.strip().lower()
    if not tag:
        raise ValueError("a tag cannot be empty")
    shown = tag if len(tag) <= 20 else tag[:20] + "…"
    if len(tag) > MAX_TAG_LENGTH:
        raise ValueError(f"the tag “{shown}” is longer than {MAX_TAG_LENGTH} characters")
    bad = sorted({c for c in tag if not _TAG.fullmatch(c)})
    if bad:
        shown_bad = " ".join(repr(c)[1:-1] if c.isprintable() else repr(c) for c in bad)
        raise ValueError(f"the tag “{shown}” has {shown_bad} in it: use letters, digits, emoji, - _ and . only")
    return tag


def parse_tags(raw: str | Iterable[str]) -> list[str]:
    """Tags from a form's text ("a, b c") or a list: each checked (:func:`check_tag`), duplicates dropped,
    order kept; ValueError for a bad tag or more than :data:`MAX_TAGS`."""
    items = _SEPARATORS.split(raw) if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError("tags must be text")
        if item.strip():
            tag = check_tag(item)
            if tag not in tags:
                tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValueError(f"use at most {MAX_TAGS} tags (this has {len(tags)})")
    return tags


def replace_tag(tags: list[str], old: str, new: str | None) -> list[str]:
    """``tags`` with ``old`` replaced by ``new`` in its place (dropped if ``new`` is there already or None)."""
    replaced: list[str] = []
    for tag in tags:
        kept = new if tag == old else tag
        if kept is not None and kept not in replaced:
            replaced.append(kept)
    return replaced
