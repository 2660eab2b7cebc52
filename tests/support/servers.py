"""Real servers for the end-to-end tests, on free loopback ports: Mongrel2, Redis, and the suite's handler
processes behind them.

Fixtures (every test may ask for them; tests/conftest.py loads this module as a plugin):

- ``mongrel2(static_dir=None)`` starts a Mongrel2 whose every path goes to one handler pair;
- ``site("listsurf")`` runs a site's module behind its own Mongrel2, with a data folder of its own;
- ``serve("demos.hello")`` runs an app module behind its own Mongrel2, under the coroutine library of
  ``concurrency`` (gevent; gevent and eventlet for a test marked ``@both_libraries``);
- ``redis_url``: one private redis-server for the session (of each test worker); ``redis_server``, one for
  a test alone (:class:`RedisServer`, which it may stop and start).

Outside CI a missing Mongrel2 or Redis skips the tests that need it; with ``CI=true`` it fails them.
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

import pytest
import requests

from brubeck.testing import Mongrel2Server, free_port, single_handler_config, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
NO_REDIS = "redis://127.0.0.1:1/0"
"""A Redis address where none answers: what a test's sites get unless it gives them a Redis of its own, so that
nothing they do (an account's deletion leaves the chat rooms) reaches a suite running on this machine."""


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
    commands: list[tuple[list[str], dict[str, str] | None]] = field(default_factory=list)
    """How each of ``processes`` was started (``start_app(*commands[i])`` starts it again)."""

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
        self.commands.append((argv, env))
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


class Mongrel2s:
    """Starts Mongrel2s on free ports, each in a folder of its own under ``folder``; stops them all at the end."""

    def __init__(self, folder: Path) -> None:
        require_binary("mongrel2", "mongrel2-core")
        self.folder = folder
        self.started: list[Endpoint] = []

    def __call__(self, static_dir: str | None = None, content_length: int = 20 * 1024 * 1024) -> Endpoint:
        """A Mongrel2 whose every path goes to one handler pair; ``static_dir`` is served at /static/; bodies over
        ``content_length`` bytes are streamed to a file."""
        port = free_port()
        pull_addr = f"tcp://127.0.0.1:{free_port()}"
        pub_addr = f"tcp://127.0.0.1:{free_port()}"
        server_uuid = str(uuid.uuid4())
        workdir = self.folder / f"mongrel2-{len(self.started)}"
        if static_dir:  # inside the work folder: Mongrel2 chroots there when run as root
            shutil.copytree(static_dir, workdir / "static")
        static = "static" if static_dir else None
        config = single_handler_config(port, pull_addr, pub_addr, server_uuid, static, content_length=content_length)
        endpoint = Endpoint(port, pull_addr, pub_addr, Mongrel2Server(config, workdir, server_uuid, port).start())
        self.started.append(endpoint)
        return endpoint

    def stop_all(self) -> None:
        for endpoint in self.started:
            endpoint.stop()


@pytest.fixture
def mongrel2(tmp_path: Path) -> Iterator[Mongrel2s]:
    """Factory: ``mongrel2(static_dir=None)`` starts a Mongrel2 on free ports, for this test alone."""
    servers = Mongrel2s(tmp_path)
    yield servers
    servers.stop_all()


@dataclass
class ModuleServers:
    """The apps ``serve`` started for the tests of one module, by app and settings, kept for the next test."""

    mongrel2: Mongrel2s
    running: dict[tuple[str, tuple[tuple[str, str], ...]], Endpoint] = field(default_factory=dict)


@pytest.fixture(scope="module")
def module_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleServers]:
    servers = Mongrel2s(tmp_path_factory.mktemp("module-servers"))
    yield ModuleServers(servers)
    servers.stop_all()


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


@pytest.fixture
def site(mongrel2: Mongrel2s, tmp_path: Path) -> Callable[..., Endpoint]:
    """Factory: ``site("listsurf")`` runs ``python -m listsurf`` behind a fresh Mongrel2, serving
    listsurf/static/; ``site("readify", module="readify.web")`` runs another module of the site.

    Each call gets its own data folder (embedded database, cookie secret).
    """

    def start(
        name: str,
        data_dir: Path | None = None,
        env: dict[str, str] | None = None,
        module: str | None = None,
        **mongrel2_options: int,
    ) -> Endpoint:
        endpoint = mongrel2(static_dir=f"{ROOT}/{name}/static", **mongrel2_options)
        settings_env = {
            "SUITE_DATA_DIR": str(data_dir or tmp_path / f"{name}-data"),
            "COOKIE_SECRET": "test-secret-" + name,
            "SUITE_PORT": str(endpoint.port),  # the site's configured URL: this Mongrel2
            "MONGREL2_CHROOT": str(endpoint.server.workdir),  # where this Mongrel2 stores large bodies
            "BRUBECK_BCRYPT_ROUNDS": "4",
            "LOG_LEVEL": "WARNING",
            "REDIS_URL": NO_REDIS,
            **(env or {}),
        }
        endpoint.start_app(["-m", module or name], env=settings_env, ready_path="/login")
        return endpoint

    return start


class RedisServer:
    """A redis-server of this test's own, append-only, that can be stopped and started again on its port."""

    def __init__(self, workdir: Path, *options: str) -> None:
        self.workdir = workdir
        self.options = options
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir)]
        command += ["--appendonly", "yes", "--save", "", *self.options]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()  # a clean shutdown: what was acknowledged is in the append-only file
            self.process.wait(10)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A redis-server for this test alone (the ``redis_url`` one is shared by the worker's tests)."""
    require_binary("redis-server", "redis-server")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


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
def serve(mongrel2: Mongrel2s, module_servers: ModuleServers, concurrency: str) -> Callable[..., Endpoint]:
    """Factory: ``serve(module, env=None, ready_path="/", fresh=False)`` -> a Mongrel2 endpoint with the app
    running under ``concurrency``.

    Starting a handler process costs about half a second of CPU, so the tests of one module share the
    app they start with the same settings; a test that needs a process of its own (its app keeps state,
    or the test stops it) asks for ``fresh=True``.
    """

    def start(module: str, env: dict[str, str] | None = None, ready_path: str = "/", fresh: bool = False) -> Endpoint:
        settings = {"BRUBECK_CONCURRENCY": concurrency, **(env or {})}
        key = (module, tuple(sorted(settings.items())))
        if not fresh and key in module_servers.running:
            endpoint = module_servers.running[key]
            assert all(process.poll() is None for process in endpoint.processes), f"{module} exited"
            return endpoint
        endpoint = (mongrel2 if fresh else module_servers.mongrel2)()
        endpoint.start_app(["-m", module], settings, ready_path=ready_path)
        if not fresh:
            module_servers.running[key] = endpoint
        return endpoint

    return start
