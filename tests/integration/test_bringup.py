"""The real bring-up (``python -m conf.bringup run``, what ``make run`` runs) in a copy of the repo.

It must serve the landing page and Listsurf through Mongrel2, stop every
process it started on SIGTERM, leave its ports free, and start again.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from brubeck.testing import free_port
from tests.conftest import ROOT, SiteClient, require_binary

pytestmark = pytest.mark.integration

TOP_LEVEL_SKIPPED = {".venv", "var", "run", ".git", "tmp", "logs", ".pytest_cache", ".ruff_cache"}
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
HANDLER_PORTS = 10  # HANDLER_PORT_BASE .. +9: room for every site's pair
SITE_NAMES = ("Listsurf", "Readify", "SpotiChat", "no.js")
PASSWORD = "correct horse"


def copy_ignore(folder: str, names: list[str]) -> set[str]:
    skipped = {"__pycache__"}
    if Path(folder).resolve() == ROOT:
        skipped |= TOP_LEVEL_SKIPPED
    return skipped & set(names)


def port_is_free(port: int) -> bool:
    """Nothing listens on ``port`` (connections in TIME_WAIT do not count)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port_block(size: int) -> int:
    """The first of ``size`` consecutive free ports, below the ephemeral range."""
    for _ in range(200):
        base = random.randrange(20000, 30000, 2)
        if all(port_is_free(base + i) for i in range(size)):
            return base
    raise RuntimeError(f"no {size} consecutive free ports found")


def children(pid: int) -> list[int]:
    result = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(word) for word in result.stdout.split()]


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``, with its command line."""
    found: dict[int, str] = {}
    pending = children(pid)
    while pending:
        child = pending.pop()
        try:
            found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except FileNotFoundError:
            continue
        pending.extend(children(child))
    return found


def processes_inside(folder: Path) -> list[str]:
    """Running processes whose working or root directory is in ``folder`` (daemons that escaped too)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or not is_running(int(proc.name)):
            continue
        try:
            places = [os.readlink(proc / "cwd"), os.readlink(proc / "root")]
        except OSError:
            continue
        if any(place == str(folder) or place.startswith(f"{folder}/") for place in places):
            found.append(f"{proc.name} {places[0]}")
    return found


def is_running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    state = next((line.split()[1] for line in status.splitlines() if line.startswith("State:")), "")
    return state not in ("Z", "X")


@dataclass
class Suite:
    """One bring-up of the copied suite, and everything it started."""

    workdir: Path
    env: dict[str, str]
    port: int
    handler_base: int
    redis_port: int
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    started: dict[int, str] | None = None

    @property
    def ports(self) -> list[int]:
        return [self.port, self.redis_port, self.handler_base, self.handler_base + 1]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:] if self.log_path else ""

    def start(self, run: int) -> None:
        self.log_path = self.workdir.parent / f"bringup-{run}.log"
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "conf.bringup", "run"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def get(self, path: str, host: str | None = None) -> requests.Response:
        headers = {"Host": host} if host else {}
        return requests.get(f"http://127.0.0.1:{self.port}{path}", headers=headers, timeout=5, allow_redirects=False)

    def wait_until_serving(self) -> None:
        """Wait for the landing page and a Listsurf page, then note every process started."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            assert self.process.poll() is None, f"bring-up exited with {self.process.returncode}:\n{self.log()}"
            try:
                if self.get("/").status_code == 200 and self.get("/login", self.listsurf_host).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"the suite did not answer in {START_TIMEOUT_S}s:\n{self.log()}"
            time.sleep(0.25)
        self.started = descendants(self.process.pid)

    @property
    def listsurf_host(self) -> str:
        return f"listsurf.localhost:{self.port}"

    def client(self) -> SiteClient:
        """A browser for Listsurf through Mongrel2 (by its Host header)."""
        browser = SiteClient(f"http://127.0.0.1:{self.port}")
        browser.headers["Host"] = self.listsurf_host
        return browser

    def stop(self) -> int | None:
        """SIGTERM to the bring-up process only (not its group); its exit code, None if it did not exit."""
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return None

    def wait_for_processes_to_end(self) -> list[str]:
        """The started processes still running after a bounded wait."""
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while True:
            left = [f"{pid} {cmd}" for pid, cmd in (self.started or {}).items() if is_running(pid)]
            if not left or time.monotonic() > deadline:
                return left
            time.sleep(0.2)

    def kill_leftovers(self) -> None:
        """After a failure: end what this bring-up started, by process id."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        escaped = [int(line.split()[0]) for line in processes_inside(self.workdir)]
        for pid in [*(self.started or {}), *escaped]:
            if is_running(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[Suite]:
    require_binary("mongrel2", "mongrel2-core")
    require_binary("redis-server", "redis-server")
    workdir = tmp_path / "suite"
    shutil.copytree(ROOT, workdir, ignore=copy_ignore, symlinks=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SUITE_DATA_DIR",
            "SUITE_RUN_DIR",
            "MONGODB_URL",
            "REDIS_URL",
            "BRUBECK_PULL",
            "BRUBECK_PUB",
            "SUITE_PROCESSES",
            "MONGREL2_HOST",
            "MONGREL2_BIND",
        }
    }
    ports = Suite(workdir, env, free_port(), free_port_block(HANDLER_PORTS), free_port())
    env.update(
        SUITE_PORT=str(ports.port),
        HANDLER_PORT_BASE=str(ports.handler_base),
        REDIS_PORT=str(ports.redis_port),
        COOKIE_SECRET="bringup-test-secret",
        BRUBECK_BCRYPT_ROUNDS="4",
        LOG_LEVEL="INFO",
        PYTHONDONTWRITEBYTECODE="1",
    )
    try:
        yield ports
    finally:
        ports.kill_leftovers()


def assert_landing_page(suite: Suite) -> None:
    page = suite.get("/")
    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "<h1>The Brubeck suite</h1>" in page.text
    for name in SITE_NAMES:
        assert name in page.text
    assert f'<a href="http://listsurf.localhost:{suite.port}/">Listsurf</a>' in page.text


def assert_stopped_cleanly(suite: Suite) -> None:
    assert suite.stop() is not None, f"the bring-up did not exit {STOP_TIMEOUT_S}s after SIGTERM:\n{suite.log()}"
    left = suite.wait_for_processes_to_end()
    assert left == [], f"still running after SIGTERM: {left}\n{suite.log()}"
    assert processes_inside(suite.workdir) == []
    busy = [port for port in suite.ports if not port_is_free(port)]
    assert busy == [], f"ports still in use: {busy}"
    assert not (suite.workdir / "run" / "mongrel2.pid").exists()


def test_bringup_serves_stops_cleanly_and_starts_again(suite: Suite) -> None:
    suite.start(1)
    suite.wait_until_serving()
    assert_landing_page(suite)
    commands = " | ".join(suite.started.values())
    for program in ("mongrel2 run/config.sqlite", "redis-server", "-m listsurf"):
        assert program in commands, f"{program} not started: {commands}"
    assert (suite.workdir / "run" / "mongrel2.pid").exists()

    browser = suite.client()
    login = browser.get("/login")
    assert login.status_code == 200 and "<h1>Log in</h1>" in login.text
    assert browser.get("/static/site.css").status_code == 200  # Mongrel2 serves the site's static files
    browser.sign_up("alice", PASSWORD)

    assert_stopped_cleanly(suite)

    suite.start(2)
    suite.wait_until_serving()
    assert_landing_page(suite)
    response = suite.client().post_form("/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302  # the account made in the first run is still there
    assert_stopped_cleanly(suite)


def test_bringup_keeps_its_data_in_suite_data_dir(suite: Suite, tmp_path: Path) -> None:
    data_dir = tmp_path / "suite data"  # a space: the Procfile must quote the path
    suite.env["SUITE_DATA_DIR"] = str(data_dir)
    suite.start(1)
    suite.wait_until_serving()
    suite.client().sign_up("alice", PASSWORD)
    assert (data_dir / "db").is_dir() and (data_dir / "redis").is_dir()
    assert not (suite.workdir / "var").exists()
    assert_stopped_cleanly(suite)
