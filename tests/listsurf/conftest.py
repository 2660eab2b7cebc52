"""Listsurf's tests: in this process, the ``app`` and browser class (``client_class``) that the fixtures of
tests/support/inprocess.py (``visitor``, ``alice``...) use."""

from __future__ import annotations

import pytest

from brubeck.testing import TestClient
from listsurf.app import create_app
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp
from tests.listsurf.pages import Browser


@pytest.fixture
def app(settings: Settings, store: Store) -> SiteApp:
    """Listsurf on ``store``."""
    return create_app(settings, store)


@pytest.fixture
def client_class() -> type[TestClient]:
    return Browser
