"""Fixtures for the integration tests: demo apps and Listsurf behind a real Mongrel2.

``listsurf`` runs the site with its embedded database in ``data_dir``,
``store`` opens that database for the test, and ``alice`` is a browser
signed up to the site.

``serve("demos.hello")`` starts a Mongrel2 on free ports and the app module
as a handler process under the coroutine library of the ``concurrency``
parameter: gevent, or both for the tests marked ``@both_libraries``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from shared.store import Store, open_store
from tests.integration.listsurf_support import Surfer, signed_up

if TYPE_CHECKING:
    from tests.conftest import Endpoint

CONCURRENCY_LIBRARIES = ["gevent", "eventlet"]


@pytest.fixture
def concurrency(request: pytest.FixtureRequest) -> str:
    """The coroutine library the app process runs on (BRUBECK_CONCURRENCY): gevent, or each in turn for a
    test marked ``@both_libraries``."""
    return getattr(request, "param", "gevent")


both_libraries = pytest.mark.parametrize("concurrency", CONCURRENCY_LIBRARIES, indirect=True)
"""Runs a test under gevent and under eventlet: the eventlet smoke set (hello, a template page, a POST with
its CSRF token, long-polls, a restart, SIGTERM, an upload, monkey-patching). Every other end-to-end test runs
under gevent only; the framework's logic is the same under both and its unit tests run it once."""


@pytest.fixture
def serve(mongrel2: Callable[..., Endpoint], concurrency: str) -> Callable[..., Endpoint]:
    """Factory: ``serve(module, env=None, ready_path="/")`` -> a Mongrel2 endpoint with the app running."""

    def start(module: str, env: dict[str, str] | None = None, ready_path: str = "/") -> Endpoint:
        endpoint = mongrel2()
        endpoint.start_app(["-m", module], {"BRUBECK_CONCURRENCY": concurrency, **(env or {})}, ready_path=ready_path)
        return endpoint

    return start


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The data folder of the ``listsurf`` fixture's site."""
    return tmp_path / "listsurf-data"


@pytest.fixture
def listsurf(site: Callable[..., Endpoint], data_dir: Path) -> Endpoint:
    """Listsurf behind a fresh Mongrel2, storing into ``data_dir``."""
    return site("listsurf", data_dir=data_dir)


@pytest.fixture
def store(listsurf: Endpoint, data_dir: Path) -> Iterator[Store]:
    """The ``listsurf`` fixture's database, through a connection of the test's own."""
    opened = open_store(url="", data_dir=data_dir)
    yield opened
    opened.close()


@pytest.fixture
def alice(listsurf: Endpoint) -> Surfer:
    """A browser signed up to ``listsurf`` as "alice"."""
    return signed_up(listsurf, "alice")
