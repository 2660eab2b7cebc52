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

import pytest
import requests

from brubeck.mongrel2_server import Mongrel2Server, free_port, single_handler_config, wait_for_port

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

    def start_app(self, argv: list[str], env: dict[str, str] | None = None,
                  ready_path: str = "/", timeout: float = 15.0) -> subprocess.Popen:
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
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.server.stop()


@pytest.fixture
def mongrel2(tmp_path: Path) -> Iterator[Callable[..., Endpoint]]:
    """Factory: ``mongrel2(static_dir=None)`` starts a Mongrel2 on free ports."""
    require_binary("mongrel2", "mongrel2-core")
    started: list[Endpoint] = []

    def start(static_dir: str | None = None) -> Endpoint:
        port = free_port()
        pull_addr = f"tcp://127.0.0.1:{free_port()}"
        pub_addr = f"tcp://127.0.0.1:{free_port()}"
        server_uuid = str(uuid.uuid4())
        workdir = tmp_path / f"mongrel2-{len(started)}"
        config = single_handler_config(port, pull_addr, pub_addr, server_uuid, static_dir)
        endpoint = Endpoint(port, pull_addr, pub_addr, Mongrel2Server(config, workdir, server_uuid, port).start())
        started.append(endpoint)
        return endpoint

    yield start
    for endpoint in started:
        endpoint.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private redis-server on a free loopback port, for the whole session."""
    require_binary("redis-server", "redis-server")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)
