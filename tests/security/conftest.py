"""Fixtures for the hardening tests: the hardening app behind a Mongrel2 that streams bodies over 64 KB to disk.

The ``mongrel2`` fixture of ``tests/conftest.py`` is reused as it is; only the
config it writes gets a small ``limits.content_length`` here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import tests.conftest
from brubeck.testing import single_handler_config
from tests.integration.conftest import concurrency, data_dir, listsurf  # noqa: F401  (fixtures)
from tests.sites.conftest import (  # noqa: F401  (fixtures)
    alice,
    app,
    browser,
    cheap_bcrypt,
    client_class,
    signed_up,
    store,
    visitor,
)

if TYPE_CHECKING:
    from tests.conftest import Endpoint

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
    concurrency: str,  # noqa: F811
) -> Hardened:
    """``tests.security.hardening_app`` behind a Mongrel2 whose ``limits.content_length`` is 64 KB."""
    small = functools.partial(single_handler_config, content_length=CONTENT_LENGTH_LIMIT)
    monkeypatch.setattr(tests.conftest, "single_handler_config", small)
    endpoint = mongrel2()
    env = {"BRUBECK_CONCURRENCY": concurrency, "MONGREL2_CHROOT": str(endpoint.server.workdir)}
    endpoint.start_app(["-m", "tests.security.hardening_app"], env)
    return Hardened(endpoint)
