"""Generated bookmark files (the Netscape format) for the import tests and benchmark: nested folders, tags, private
and unread items, titles in several scripts (and with ``"`` and ``<``), descriptions, and URLs that come twice.

Here, not in ``bench/``: importing the ``bench`` package turns monkey patching off in the importing process's
environment, which a test worker would pass on to every server it starts after.
"""

from __future__ import annotations

import random
from html import escape

from shared.bookmarks.netscape import DOCTYPE

TAGS = ["python", "news", "recipes", "чтение", "読書", "music", "design", "go", "rust", "travel"]
WORDS = ["Ёлка", "東京", "café", "notes", "The", "guide", "to", "🎄", 'a "quoted" <b>word</b>', "latency", "عربى"]
FOLDERS = ["Reading", "Work stuff", "Кухня", "旅行", "Archive 2019"]
START = 1_500_000_000  # seconds: July 2017


def generated_file(count: int = 10_000, seed: int = 24, duplicates: float = 0.02) -> bytes:
    """A bookmark file of ``count`` bookmarks (a share ``duplicates`` of them repeating an earlier URL)."""
    rng = random.Random(seed)
    lines = [DOCTYPE, '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">', "<TITLE>Bookmarks</TITLE>"]
    lines += ["<H1>Bookmarks</H1>", "<DL><p>"]
    depth, urls = 0, list[str]()
    for number in range(count):
        if rng.random() < 0.01 and depth < 3:
            lines.append(f"{'    ' * (depth + 1)}<DT><H3>{escape(rng.choice(FOLDERS))} {number}</H3>")
            lines.append(f"{'    ' * (depth + 1)}<DL><p>")
            depth += 1
        elif rng.random() < 0.01 and depth:
            lines.append(f"{'    ' * depth}</DL><p>")
            depth -= 1
        url = (
            rng.choice(urls) if urls and rng.random() < duplicates else f"https://site{number % 997}.example/p/{number}"
        )
        urls.append(url)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        added = START + number * 60
        attributes = [f'HREF="{escape(url)}"', f'ADD_DATE="{added}"', f'LAST_MODIFIED="{added + rng.randint(0, 9999)}"']
        tags = rng.sample(TAGS, rng.randint(0, 4))
        if tags:
            attributes.append(f'TAGS="{escape(",".join(tags))}"')
        attributes.append(f'PRIVATE="{int(rng.random() < 0.1)}"')
        attributes.append(f'TOREAD="{int(rng.random() < 0.7)}"')
        lines.append(f"{'    ' * (depth + 1)}<DT><A {' '.join(attributes)}>{escape(title)}</A>")
        if rng.random() < 0.2:
            lines.append(f"{'    ' * (depth + 1)}<DD>{escape(' '.join(rng.choice(WORDS) for _ in range(8)))}")
    lines += ["    </DL><p>"] * depth + ["</DL><p>", ""]
    return "\n".join(lines).encode("utf-8")
