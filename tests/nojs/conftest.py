"""no.js in this process on the test Redis: ``chat`` (a namespace of its own), ``app``, and browsers of the
``Chatter`` class for the fixtures of tests/support/inprocess.py (``alice``, ``visitor``...); end to end,
``nojs`` (``python -m nojs`` behind a fresh Mongrel2) and a ``room`` of the test's own."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from brubeck.testing import TestClient
from nojs.app import create_app
from shared.chat.service import Chat
from shared.settings import Settings
from shared.store import Store
from shared.web import SiteApp
from tests.nojs.live import POLL_TIMEOUT_S
from tests.nojs.pages import Chatter
from tests.support.servers import Endpoint


class Browser(Chatter, TestClient):
    """A browser on no.js, in this process."""


@pytest.fixture
def app(settings: Settings, store: Store, chat: Chat) -> SiteApp:
    return create_app(settings, store, chat)


@pytest.fixture
def client_class() -> type[TestClient]:
    return Browser


@pytest.fixture
def nojs(site: Callable[..., Endpoint], redis_url: str) -> Endpoint:
    """``python -m nojs`` behind a fresh Mongrel2, on the test Redis."""
    return site("nojs", env={"REDIS_URL": redis_url, "CHAT_POLL_TIMEOUT": str(POLL_TIMEOUT_S)})


@pytest.fixture
def room() -> str:
    """A room of the test's own (the end-to-end tests share one Redis, and no.js's namespace in it)."""
    return f"room-{uuid.uuid4().hex[:12]}"
