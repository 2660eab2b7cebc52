"""The bring-up (``python -m conf.bringup run``, what ``make run`` runs) in a copy of the tree, on free ports:
:class:`Suite` starts it, reads what it printed, finds and ends what it started."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from brubeck.testing import free_port
from conf import bringup
from conf.settings import deployment
from conf.sites import SERVICES, SITES
from tests.support.clients import SiteClient
from tests.support.servers import ROOT, require_binary
from tests.support.sites import present

TOP_LEVEL_SKIPPED = {".venv", "var", "run", ".git", "tmp", "logs", ".pytest_cache", ".ruff_cache"}
"""Not copied; .mypy_cache is, so that mypy in the copy starts from the tree's cache (:meth:`Suite.check`)."""
TOOLS = Path(sys.executable).parent
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
RESTART_TIMEOUT_S = 15  # supervisord starts a dead process again after 1 s; a site takes 1 to 3 s to boot
GIVE_UP_TIMEOUT_S = 90  # a process that keeps dying at once is retried 5 times, 1 + 2 + ... + 5 s apart
READY = "The Brubeck suite is ready:"
HANDLER_PORTS = 2 * len(SITES) + 2  # room for every site's pair (conf/sites.py), and one more made by a test
SITE_NAMES = [SITES[name].title for name in bringup.running_sites(deployment()) if SITES[name].title]
"""What the landing page lists: every site conf/Procfile runs."""


@dataclass(frozen=True)
class Example:
    """The site the bring-up's tests sign up on, kill and break: the first of the suite's sites in this tree."""

    program: str
    main: str  # the file ``python -m`` runs
    title: str

    @property
    def command(self) -> str:
        return "-m " + self.main.removesuffix(".py").removesuffix("/__main__").replace("/", ".")


EXAMPLES = (
    Example("listsurf", "listsurf/__main__.py", "Listsurf"),
    Example("readify", "readify/web.py", "Readify"),
    Example("spotichat", "spotichat/__main__.py", "SpotiChat"),
    Example("nojs", "nojs/__main__.py", "no.js"),
)
EXAMPLE = next(example for example in EXAMPLES if present(example.program))
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
    example: Example = EXAMPLE
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    started: dict[int, str] | None = None

    @property
    def ports(self) -> list[int]:
        return [self.port, self.redis_port, self.handler_base, self.handler_base + 1]

    def output(self) -> str:
        """Everything the bring-up printed (its own lines, supervisord's and the processes')."""
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def log(self) -> str:
        return self.output()[-4000:]

    def start(self, run: int) -> None:
        self.log_path = self.workdir.parent / f"bringup-{run}.log"
        # Appending: supervisord opens this file again (/dev/stdout) to write its programs' output into it.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "conf.bringup", "run"],
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, *command: str) -> str:
        """Run ``command`` in the copy (not measured by coverage); what it printed, once it succeeded."""
        env = {name: value for name, value in self.env.items() if not name.startswith("COV_")}
        done = subprocess.run(command, cwd=self.workdir, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{' '.join(command)} failed in the copy:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def check(self) -> None:
        """``make check`` in the copy: format, lint and types.  mypy starts from the cache copied with the tree
        (warm once ``make check`` ran there) and checks again every module that differs or depends on one that
        does, as ``make check`` would: about 1 s rather than 10 s from nothing."""
        self.run(str(TOOLS / "ruff"), "format", "--check", "--quiet", ".")
        self.run(str(TOOLS / "ruff"), "check", "--quiet", ".")
        self.run(str(TOOLS / "mypy"))

    def get(self, path: str, host: str | None = None, timeout: float = 5) -> requests.Response:
        headers = {"Host": host} if host else {}
        return requests.get(
            f"http://127.0.0.1:{self.port}{path}", headers=headers, timeout=timeout, allow_redirects=False
        )

    def wait_until_serving(self) -> None:
        """Wait until the bring-up says the suite is ready; then the landing page and the example site must answer."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY not in self.output():
            assert self.process.poll() is None, f"bring-up exited with {self.process.returncode}:\n{self.log()}"
            assert time.monotonic() < deadline, f"the suite was not ready in {START_TIMEOUT_S}s:\n{self.log()}"
            time.sleep(0.25)
        assert self.get("/").status_code == 200, self.log()
        assert self.get("/login", self.example_host).status_code == 200, self.log()
        self.note_processes()

    def note_processes(self) -> None:
        """Add every process now running below the bring-up to those that must end when it stops."""
        self.started = {**(self.started or {}), **descendants(self.process.pid)}

    def pids_of(self, command: str) -> list[int]:
        """The running processes below the bring-up whose command line contains ``command``."""
        return [pid for pid, line in descendants(self.process.pid).items() if command in line and is_running(pid)]

    @property
    def example_host(self) -> str:
        return f"{SITES[self.example.program].host}:{self.port}"

    def client(self) -> SiteClient:
        """A browser for the example site through Mongrel2 (by its Host header)."""
        browser = SiteClient(f"http://127.0.0.1:{self.port}")
        browser.headers["Host"] = self.example_host
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


@contextmanager
def copied_suite(tmp_path: Path, example: Example = EXAMPLE) -> Iterator[Suite]:
    """A copy of the tree in ``tmp_path``, to be brought up on free ports (what it starts is ended at the end).

    The copy is made before ``yield``: the test may change it before ``start``."""
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
    ports = Suite(workdir, env, free_port(), free_port(HANDLER_PORTS), free_port(), example)
    env.update(
        SUITE_PORT=str(ports.port),
        HANDLER_PORT_BASE=str(ports.handler_base),
        SERVICE_PORT_BASE=str(free_port(4 * len(SERVICES))),
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
