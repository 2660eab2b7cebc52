"""Readify's tests: in this process, its pages' ``app`` and browser class (``client_class``) for the fixtures
of tests/support/inprocess.py (``visitor``, ``alice``...); tests/readify/test_api.py gives the API's."""

from __future__ import annotations

import pytest

from readify.app import create_app
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp
from tests.readify.pages import Reader


@pytest.fixture
def app(settings: Settings, store: Store) -> SiteApp:
    """Readify's pages on ``store``."""
    return create_app(settings, store)


@pytest.fixture
def client_class() -> type[Reader]:
    return Reader
