"""Fixtures for the chat core's tests: a chat on the session's real Redis, its keys apart for each test."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import redis

from shared.chat.service import Chat, connect

TTL_MS = 1000
"""How long a listener counts as there in these tests."""


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    opened = connect(redis_url)
    yield opened
    opened.close()


@pytest.fixture
def chat(client: redis.Redis) -> Chat:
    """A chat site of its own (a fresh namespace) on the test Redis."""
    return Chat(client, f"test-{uuid.uuid4().hex[:8]}", presence_ttl_ms=TTL_MS)
