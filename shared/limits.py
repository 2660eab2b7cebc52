"""Bounds every site's lists keep: the links one account may save, the words a search looks for."""

from __future__ import annotations

LINKS_PER_ACCOUNT = 100_000
"""The most links one account keeps on a site, unless the settings say otherwise."""
MAX_SEARCH_WORDS = 10
"""A search looks for its first this many words."""


class ListFull(Exception):
    """The owner has as many links as an account may keep (``Settings.links_per_account``)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"an account keeps at most {limit:,} links")
        self.limit = limit

    def sentence(self, what: str = "list") -> str:
        """What an add form says beside the URL: "Your ``what`` is full: …"."""
        return f"Your {what} is full: an account keeps at most {self.limit:,} links. Delete some to save more."
