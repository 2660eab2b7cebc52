"""Fixtures for the hardening tests: the hardening app behind a Mongrel2 that streams bodies over 64 KB to disk.

The ``mongrel2`` fixture of ``tests/support/servers.py`` is reused, with a small ``limits.content_length``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.servers import Endpoint

CONTENT_LENGTH_LIMIT = 64 * 1024


@dataclass
class Hardened:
    """The hardening app behind Mongrel2: its port, and the folder Mongrel2 writes upload files to."""

    endpoint: Endpoint

    @property
    def port(self) -> int:
        return self.endpoint.port

    @property
    def upload_dir(self) -> Path:
        return self.endpoint.server.workdir / "tmp"


@pytest.fixture
def hardened(mongrel2: Callable[..., Endpoint], concurrency: str) -> Hardened:
    """``tests.support.apps.hardening_app`` behind a Mongrel2 whose ``limits.content_length`` is 64 KB."""
    endpoint = mongrel2(content_length=CONTENT_LENGTH_LIMIT)
    env = {"BRUBECK_CONCURRENCY": concurrency, "MONGREL2_CHROOT": str(endpoint.server.workdir)}
    endpoint.start_app(["-m", "tests.support.apps.hardening_app"], env)
    return Hardened(endpoint)
