"""SpotiChat in this process on the test Redis: ``chat`` (a namespace of its own), ``app``, and browsers of
the ``Listener`` class for the fixtures of tests/support/inprocess.py (``alice``, ``visitor``...)."""

from __future__ import annotations

import pytest

from brubeck.request_handling import Brubeck
from brubeck.testing import TestClient
from shared.chat.service import Chat
from shared.settings import Settings
from shared.store import Store
from spotichat.app import create_app
from tests.spotichat.pages import ListenerActions


class Listener(ListenerActions, TestClient):
    """A browser on SpotiChat, in this process."""


@pytest.fixture
def app(settings: Settings, store: Store, chat: Chat) -> Brubeck:
    return create_app(settings, store, chat)


@pytest.fixture
def client_class() -> type[TestClient]:
    return Listener
