"""The store tests run on both engines: ``store`` is ``either_store`` (tests/support/stores.py)."""

from __future__ import annotations

import pytest

from shared.store import Store


@pytest.fixture
def store(either_store: Store) -> Store:
    return either_store
