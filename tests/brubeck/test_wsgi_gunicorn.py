"""demos/wsgi.py over plain HTTP: Brubeck's own WSGI server and gunicorn."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
import requests

from brubeck.testing import free_port, wait_for_port
from tests.support.servers import ROOT

pytestmark = pytest.mark.integration
TIMEOUT = 10


@pytest.fixture
def run_server() -> Iterator[Callable[..., str]]:
    """Factory: ``run_server(argv, env)`` starts a Python process serving on a free port; returns its URL."""
    processes: list[subprocess.Popen] = []

    def start(argv: list[str], env: dict[str, str], port: int) -> str:
        process = subprocess.Popen([sys.executable, *argv], cwd=ROOT, env=dict(os.environ, PYTHONPATH=str(ROOT), **env))
        processes.append(process)
        try:
            wait_for_port(port, timeout=15)
        except TimeoutError:
            pytest.fail(f"{argv} did not listen on port {port} (exit code {process.poll()})")
        return f"http://127.0.0.1:{port}"

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def assert_hello_world(url: str) -> None:
    response = requests.get(url + "/", timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.text == "Hello world"
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert requests.get(url + "/missing", timeout=TIMEOUT).status_code == 404
    refused = requests.post(url + "/", data="x", timeout=TIMEOUT)
    assert refused.status_code == 405
    assert refused.headers["Allow"] == "GET, HEAD, OPTIONS"


def test_wsgi_demo_serves_hello_world(run_server, concurrency):
    port = free_port()
    url = run_server(["-m", "demos.wsgi"], {"BRUBECK_WSGI_PORT": str(port), "BRUBECK_CONCURRENCY": concurrency}, port)
    assert_hello_world(url)


def test_wsgi_demo_under_gunicorn(run_server):
    pytest.importorskip("gunicorn")
    port = free_port()
    url = run_server(
        ["-m", "gunicorn", "-k", "gevent", "-w", "1", "-b", f"127.0.0.1:{port}", "demos.wsgi:app"], {}, port
    )
    assert_hello_world(url)
