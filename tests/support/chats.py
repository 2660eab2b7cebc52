"""A chat of the test's own: ``chat``, a fresh namespace on the test Redis (the chat sites' in-process apps
and the odd-input walk use it; the chat core's own tests have theirs, tests/shared/chat/conftest.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from shared.chat.service import Chat, connect


@pytest.fixture
def chat(redis_url: str) -> Iterator[Chat]:
    client = connect(redis_url)
    yield Chat(client, f"test-{uuid.uuid4().hex[:8]}")
    client.close()
