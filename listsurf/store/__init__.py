"""Listsurf's links in the suite's store: what a query asks, the repository's interface, and its kind.

``links(store)`` is the repository on whichever store the suite runs
(:mod:`.sqlite` or :mod:`.mongo`); :mod:`listsurf.links` holds the rules.
"""

from __future__ import annotations

from shared.store import Records, Store

from .interfaces import LinkQuery, Links
from .mongo import INDEXES, MongoLinks
from .sqlite import SCHEMA, SQLiteLinks

__all__ = ["LINKS", "LinkQuery", "Links", "links"]


LINKS: Records[Links] = Records("listsurf.links", SCHEMA, SQLiteLinks, MongoLinks, INDEXES)


def links(store: Store) -> Links:
    """Listsurf's links on ``store``."""
    return store.records(LINKS)
