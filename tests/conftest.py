"""Fixtures shared by every test: real Mongrel2 and Redis on free loopback ports.

Outside CI a missing Mongrel2 or Redis skips the tests that need it; with
``CI=true`` it fails them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

# The test process itself is not monkey-patched (pytest and Playwright run real threads); the
# processes it starts are, as in production, unless a test asks otherwise.
_PATCH_SETTING = os.environ.get("BRUBECK_MONKEY_PATCH")
os.environ["BRUBECK_MONKEY_PATCH"] = "0"
from brubeck.csrf import CSRF_FIELD  # noqa: E402
from brubeck.testing import CSRF_INPUT, Mongrel2Server, free_port, single_handler_config, wait_for_port  # noqa: E402
from tests.pages import AccountActions  # noqa: E402

if _PATCH_SETTING is None:
    del os.environ["BRUBECK_MONKEY_PATCH"]
else:
    os.environ["BRUBECK_MONKEY_PATCH"] = _PATCH_SETTING

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_binary(name: str, package: str) -> None:
    """Skip (or, in CI, fail) when a server binary is missing."""
    if shutil.which(name) is None:
        message = f"{name} is not installed (apt-get install {package})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Endpoint:
    """A Mongrel2 server whose every path goes to one handler pair."""

    port: int
    pull_addr: str
    pub_addr: str
    server: Mongrel2Server
    processes: list[subprocess.Popen] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start_app(
        self, argv: list[str], env: dict[str, str] | None = None, ready_path: str = "/", timeout: float = 15.0
    ) -> subprocess.Popen:
        """Start a handler process that reads BRUBECK_PULL/BRUBECK_PUB and wait for it."""
        full_env = dict(os.environ, PYTHONPATH=str(ROOT), BRUBECK_PULL=self.pull_addr, BRUBECK_PUB=self.pub_addr)
        full_env.update(env or {})
        process = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=full_env)
        self.processes.append(process)
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{argv} exited with {process.returncode}")
            try:
                requests.get(self.url + ready_path, timeout=1)
                return process
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        """Stop the handlers (SIGTERM, as supervisord would) and Mongrel2 (at once: a test's server has
        nothing to finish) together."""
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        self.server.stop(graceful=False)
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def mongrel2(tmp_path: Path) -> Iterator[Callable[..., Endpoint]]:
    """Factory: ``mongrel2(static_dir=None)`` starts a Mongrel2 on free ports.

    ``static_dir`` is copied into Mongrel2's work folder and served at /static/.
    """
    require_binary("mongrel2", "mongrel2-core")
    started: list[Endpoint] = []

    def start(static_dir: str | None = None) -> Endpoint:
        port = free_port()
        pull_addr = f"tcp://127.0.0.1:{free_port()}"
        pub_addr = f"tcp://127.0.0.1:{free_port()}"
        server_uuid = str(uuid.uuid4())
        workdir = tmp_path / f"mongrel2-{len(started)}"
        if static_dir:  # inside the work folder: Mongrel2 chroots there when run as root
            shutil.copytree(static_dir, workdir / "static")
        config = single_handler_config(port, pull_addr, pub_addr, server_uuid, "static" if static_dir else None)
        endpoint = Endpoint(port, pull_addr, pub_addr, Mongrel2Server(config, workdir, server_uuid, port).start())
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in started:
        endpoint.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, for the whole session (append-only, as the suite's)."""
    require_binary("redis-server", "redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


class SiteClient(AccountActions, requests.Session):
    """A browser-like client for one site through Mongrel2: relative paths, CSRF tokens from forms."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 15)
        if not url.startswith("http"):
            url = self.base_url + url
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith(".localhost"):  # as browsers do; this resolver does not
            kwargs["headers"] = {"Host": parts.netloc, **(kwargs.get("headers") or {})}
            url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port or 80}"))
        return super().request(method, url, *args, **kwargs)

    def get(self, url: str, **kwargs):  # type: ignore[override]
        """GET without following redirects (``Session.get`` would follow them)."""
        return self.request("GET", url, **kwargs)

    def csrf_token(self, form_url: str = "/login") -> str:
        """The CSRF token from a page's form (fetching it sets the cookie)."""
        page = self.get(form_url)
        found = CSRF_INPUT.search(page.text)
        assert found, f"no CSRF field on {form_url} ({page.status_code})"
        return found.group(1)

    def post_form(self, url: str, data: dict[str, str], form_url: str | None = None) -> requests.Response:
        """POST a form with a valid CSRF token taken from ``form_url`` (default: ``url``)."""
        return self.post(url, data={**data, CSRF_FIELD: self.csrf_token(form_url or url)})


@pytest.fixture
def site(mongrel2: Callable[..., Endpoint], tmp_path: Path) -> Callable[..., Endpoint]:
    """Factory: ``site("listsurf")`` runs ``python -m listsurf`` behind a fresh Mongrel2, serving
    listsurf/static/; ``site("readify", module="readify.web")`` runs another module of the site.

    Each call gets its own data folder (embedded database, cookie secret).
    """

    def start(
        name: str, data_dir: Path | None = None, env: dict[str, str] | None = None, module: str | None = None
    ) -> Endpoint:
        endpoint = mongrel2(static_dir=f"{ROOT}/{name}/static")
        settings_env = {
            "SUITE_DATA_DIR": str(data_dir or tmp_path / f"{name}-data"),
            "COOKIE_SECRET": "test-secret-" + name,
            "SUITE_PORT": str(endpoint.port),  # the site's configured URL: this Mongrel2
            "MONGREL2_CHROOT": str(endpoint.server.workdir),  # where this Mongrel2 stores large bodies
            "BRUBECK_BCRYPT_ROUNDS": "4",
            "LOG_LEVEL": "WARNING",
            **(env or {}),
        }
        endpoint.start_app(["-m", module or name], env=settings_env, ready_path="/login")
        return endpoint

    return start


SERVER_FIXTURES = {"mongrel2", "redis_url"}
"""Fixtures that start a real server: a test using one (directly or through another fixture) is an
integration test, left out of ``make test-fast``."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts a real server ``integration``."""
    for item in items:
        if SERVER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
