"""Readify's records in the suite's store: links (with their tombstones) and profiles.

``readify_links(store)`` and ``profiles(store)`` are the repositories on
whichever store the suite runs; :mod:`readify.links` and
:mod:`readify.profiles` hold the rules.
"""

from __future__ import annotations

from shared.store import Records, Store

from .interfaces import Profiles, ReadifyLinks, ReadifyQuery
from .mongo import LINK_INDEXES, MongoProfiles, MongoReadifyLinks
from .schema import SCHEMA
from .sqlite_links import SQLiteReadifyLinks
from .sqlite_profiles import SQLiteProfiles

__all__ = ["LINKS", "PROFILES", "Profiles", "ReadifyLinks", "ReadifyQuery", "profiles", "readify_links"]

LINKS: Records[ReadifyLinks] = Records("readify.links", SCHEMA, SQLiteReadifyLinks, MongoReadifyLinks, LINK_INDEXES)
PROFILES: Records[Profiles] = Records("readify.profiles", SCHEMA, SQLiteProfiles, MongoProfiles)


def readify_links(store: Store) -> ReadifyLinks:
    """Readify's links on ``store``."""
    return store.records(LINKS)


def profiles(store: Store) -> Profiles:
    """Readify's profiles on ``store``."""
    return store.records(PROFILES)
