"""Fixtures for the hardening tests: the hardening app behind a Mongrel2 that streams bodies over 64 KB to disk.

The ``mongrel2`` fixture of ``tests/support/servers.py`` is reused as it is; only the
config it writes gets a small ``limits.content_length`` here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from brubeck.testing import single_handler_config
from tests.support import servers

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
def hardened(
    mongrel2: Callable[..., Endpoint],
    monkeypatch: pytest.MonkeyPatch,
    concurrency: str,
) -> Hardened:
    """``tests.support.apps.hardening_app`` behind a Mongrel2 whose ``limits.content_length`` is 64 KB."""
    small = functools.partial(single_handler_config, content_length=CONTENT_LENGTH_LIMIT)
    monkeypatch.setattr(servers, "single_handler_config", small)
    endpoint = mongrel2()
    env = {"BRUBECK_CONCURRENCY": concurrency, "MONGREL2_CHROOT": str(endpoint.server.workdir)}
    endpoint.start_app(["-m", "tests.support.apps.hardening_app"], env)
    return Hardened(endpoint)
