"""How a part of the suite (the accounts, a site) brings its own records to the one store.

A site declares a :class:`Records` kind for each of its repositories: how the
embedded store keeps it (a factory on the SQLite database, and the
:class:`Schema` of its tables) and how MongoDB does (a factory on the
database, and the indexes its queries need).  ``store.records(kind)`` gives
the repository on whichever store the suite runs, its tables or indexes
made on first use.  So a site's records live in its own folder, and the
store knows nothing of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from .sqlite.database import SQLiteDatabase

R = TypeVar("R")

Index = tuple[list[tuple[str, int]], dict[str, Any]]
"""A MongoDB index: its keys and ``create_index``'s options (``{"unique": True}``)."""


@dataclass(frozen=True)
class Schema:
    """A part's tables in the embedded store: one SQL script a version, applied in order.

    ``legacy`` says, for a file made before each part versioned its own tables, which of the suite's
    single schema version each script had matched (the version a part starts from there).
    """

    name: str
    migrations: Sequence[str]
    legacy: Sequence[int] = ()


@dataclass(frozen=True)
class Records(Generic[R]):
    """A kind of record: its repository on each engine (``store.records(kind)`` picks the one in use)."""

    name: str
    schema: Schema
    sqlite: Callable[[SQLiteDatabase], R]
    mongo: Callable[[Any], R]
    indexes: Mapping[str, Sequence[Index]] = field(default_factory=dict)
    """MongoDB's indexes, by collection."""
