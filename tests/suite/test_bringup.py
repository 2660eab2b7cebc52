"""The real bring-up (``python -m conf.bringup run``, what ``make run`` runs) in a copy of the repo.

It must serve the landing page and Listsurf through Mongrel2, say it is ready
only once they answer, start again a process that dies while the others keep
serving, stop every process it started on SIGTERM, leave its ports and no
pid or socket file behind, and start again.
"""

from __future__ import annotations

import configparser
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from brubeck.responses import PAGE_POLICY
from brubeck.testing import free_port
from conf import bringup
from conf.settings import deployment
from conf.sites import SITES
from tests.support.clients import SiteClient
from tests.support.servers import ROOT, require_binary

pytestmark = pytest.mark.integration

TOP_LEVEL_SKIPPED = {".venv", "var", "run", ".git", "tmp", "logs", ".pytest_cache", ".ruff_cache"}
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 30
RESTART_TIMEOUT_S = 15  # supervisord starts a dead process again after 1 s; Listsurf takes 1 to 3 s to boot
GIVE_UP_TIMEOUT_S = 90  # a process that keeps dying at once is retried 5 times, 1 + 2 + ... + 5 s apart
READY = "The Brubeck suite is ready:"
HANDLER_PORTS = 10  # HANDLER_PORT_BASE .. +9: room for every site's pair
SITE_NAMES = [SITES[name].title for name in bringup.running_sites(deployment()) if SITES[name].title]
"""What the landing page lists: every site conf/Procfile runs."""
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

    def get(self, path: str, host: str | None = None, timeout: float = 5) -> requests.Response:
        headers = {"Host": host} if host else {}
        return requests.get(
            f"http://127.0.0.1:{self.port}{path}", headers=headers, timeout=timeout, allow_redirects=False
        )

    def wait_until_serving(self) -> None:
        """Wait until the bring-up says the suite is ready; then the landing page and Listsurf must answer."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while READY not in self.output():
            assert self.process.poll() is None, f"bring-up exited with {self.process.returncode}:\n{self.log()}"
            assert time.monotonic() < deadline, f"the suite was not ready in {START_TIMEOUT_S}s:\n{self.log()}"
            time.sleep(0.25)
        assert self.get("/").status_code == 200, self.log()
        assert self.get("/login", self.listsurf_host).status_code == 200, self.log()
        self.note_processes()

    def note_processes(self) -> None:
        """Add every process now running below the bring-up to those that must end when it stops."""
        self.started = {**(self.started or {}), **descendants(self.process.pid)}

    def pids_of(self, command: str) -> list[int]:
        """The running processes below the bring-up whose command line contains ``command``."""
        return [pid for pid, line in descendants(self.process.pid).items() if command in line and is_running(pid)]

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
    ports = Suite(workdir, env, free_port(), free_port(HANDLER_PORTS), free_port())
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
    assert page.headers["Content-Security-Policy"] == PAGE_POLICY  # a handler's page: Mongrel2 alone sends none
    assert page.headers["X-Frame-Options"] == "DENY"
    assert suite.get("/static/landing.css").status_code == 200
    for name in SITE_NAMES:
        assert name in page.text
    assert f'<a href="http://listsurf.localhost:{suite.port}/">Listsurf</a>' in page.text


def assert_stopped_cleanly(suite: Suite) -> None:
    assert suite.stop() is not None, f"the bring-up did not exit {STOP_TIMEOUT_S}s after SIGTERM:\n{suite.log()}"
    left = suite.wait_for_processes_to_end()
    assert left == [], f"still running after SIGTERM: {left}\n{suite.log()}"
    assert_nothing_left(suite)


def assert_nothing_left(suite: Suite) -> None:
    """Mongrel2 stopped cleanly, no process runs in the copy, no port is held, no pid or socket file is left."""
    assert "stopped: mongrel2-0 (exit status 0)" in suite.output(), suite.log()
    assert processes_inside(suite.workdir) == []
    busy = [port for port in suite.ports if not port_is_free(port)]
    assert busy == [], f"ports still in use: {busy}"
    for leftover in ("mongrel2.pid", "supervisord.pid", "supervisor.sock"):
        assert not (suite.workdir / "run" / leftover).exists(), f"run/{leftover} left behind"


def test_bringup_serves_stops_cleanly_and_starts_again(suite: Suite) -> None:
    suite.start(1)
    suite.wait_until_serving()
    assert_landing_page(suite)
    commands = " | ".join(suite.started.values())
    for program in ("supervisord", "mongrel2 run/config.sqlite", "redis-server", "-m listsurf"):
        assert program in commands, f"{program} not started: {commands}"
    log = suite.output()
    assert log.index("Answering: Listsurf") < log.index(READY) < log.index(f"http://listsurf.localhost:{suite.port}/ ")
    assert log.index("Answering: Readify") < log.index(READY)  # ready only once Readify answers too
    assert suite.get("/login", f"readify.localhost:{suite.port}").status_code == 200
    assert (suite.workdir / "run" / "mongrel2.pid").exists()
    assert (suite.workdir / "run" / "supervisord.conf").stat().st_mode & 0o077 == 0  # it holds a password

    second = subprocess.run(
        [sys.executable, "-m", "conf.bringup", "run"], cwd=suite.workdir, env=suite.env, capture_output=True, text=True
    )
    assert second.returncode == 1 and "already running" in second.stderr, second
    assert suite.get("/login", suite.listsurf_host).status_code == 200  # the first one goes on

    browser = suite.client()
    login = browser.get("/login")
    assert login.status_code == 200 and "<h1>Log in</h1>" in login.text
    assert browser.get("/static/site.css").status_code == 200  # Mongrel2 serves the site's static files
    browser.sign_up("alice", PASSWORD)
    for lookalike in (f"x{suite.listsurf_host}", f"evil.{suite.listsurf_host}"):  # hosts match exactly
        assert "<h1>The Brubeck suite</h1>" in suite.get("/", lookalike).text  # the landing page, not the site
        assert suite.get("/login", lookalike).status_code == 404

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
    suite.env["SUITE_PROCESSES"] = "listsurf=2"
    suite.start(1)
    suite.wait_until_serving()
    assert len(suite.pids_of("-m listsurf")) == 2
    suite.client().sign_up("alice", PASSWORD)
    assert (data_dir / "suite.sqlite3").is_file() and (data_dir / "redis").is_dir()
    assert not (suite.workdir / "var").exists()
    assert_stopped_cleanly(suite)


def test_a_killed_site_is_started_again_while_mongrel2_serves_the_rest(suite: Suite) -> None:
    suite.start(1)
    suite.wait_until_serving()
    [mongrel2] = suite.pids_of("mongrel2 run/config.sqlite")
    [listsurf] = suite.pids_of("-m listsurf")

    os.kill(listsurf, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:  # meanwhile Mongrel2 serves the landing page and Listsurf's static files
        assert suite.process.poll() is None, f"the bring-up exited when Listsurf died:\n{suite.log()}"
        assert suite.get("/", timeout=2).status_code == 200
        assert suite.get("/static/site.css", suite.listsurf_host, timeout=2).status_code == 200
        try:
            if suite.get("/login", suite.listsurf_host, timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() - killed_at < RESTART_TIMEOUT_S, f"Listsurf was not back in time:\n{suite.log()}"
        time.sleep(0.2)

    [restarted] = suite.pids_of("-m listsurf")
    assert restarted != listsurf
    assert suite.pids_of("mongrel2 run/config.sqlite") == [mongrel2]  # Mongrel2 ran on throughout
    events = (suite.workdir / "run" / "logs" / "supervisord.log").read_text()
    for event in (
        "exited: listsurf-0 (terminated by SIGKILL; not expected)",
        f"spawned: 'listsurf-0' with pid {restarted}",
    ):
        assert event in events
        assert event in suite.output()  # and in the terminal
    suite.note_processes()
    assert_stopped_cleanly(suite)


def test_a_site_that_cannot_start_stops_the_bringup(suite: Suite) -> None:
    (suite.workdir / "listsurf" / "__main__.py").write_text("raise SystemExit('listsurf is broken')\n")
    suite.start(1)
    try:
        code = suite.process.wait(GIVE_UP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the bring-up still runs {GIVE_UP_TIMEOUT_S}s after Listsurf kept failing:\n{suite.log()}")
    log = suite.output()
    assert code == 1, log
    assert "listsurf is broken" in log and "listsurf-0 BACKOFF" in log
    assert "listsurf-0 could not start" in log and READY not in log
    assert_nothing_left(suite)


def rendered_config(monkeypatch: pytest.MonkeyPatch, processes: str = "") -> configparser.RawConfigParser:
    monkeypatch.setenv("SUITE_PROCESSES", processes)
    config = configparser.RawConfigParser()
    config.read_string(bringup.supervisor_config(deployment()))
    return config


def test_supervisord_runs_a_program_per_procfile_line_that_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    config = rendered_config(monkeypatch, "listsurf=3")
    programs = [section.removeprefix("program:") for section in config.sections() if section.startswith("program:")]
    assert programs == [
        "redis",
        "listsurf",
        "readify",
        "readify-api",
        "spotichat",
        "landing",
        "mongrel2",
    ]  # Mongrel2 last
    assert config.getboolean("supervisord", "nodaemon")
    listsurf = config["program:listsurf"]
    assert listsurf["numprocs"] == "3" and listsurf["process_name"] == "%(program_name)s-%(process_num)d"
    assert listsurf["command"] == f"{sys.executable} -m listsurf"
    for name in programs:
        program = config[f"program:{name}"]
        assert program["autorestart"] == "true" and int(program["startretries"]) > 1
        assert program["stopasgroup"] == program["killasgroup"] == "true"
        assert program["stdout_logfile"] == "/dev/stdout" and program["stdout_logfile_maxbytes"] == "0"
        assert program["directory"] == str(ROOT)
    assert config["program:mongrel2"]["numprocs"] == "1"
    assert config["supervisorctl"]["password"] == config["unix_http_server"]["password"]
    assert config["supervisorctl"]["serverurl"] == f"unix://{config['unix_http_server']['file']}"


def test_no_redis_is_started_when_redis_url_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://elsewhere:6379/0")
    assert "program:redis" not in rendered_config(monkeypatch).sections()


@pytest.mark.parametrize("processes", ["mongrel2=2", "redis=2", "listsurf=0", "listsurf", "nosuch=2", "listsurf=x"])
def test_suite_processes_names_sites_and_counts(monkeypatch: pytest.MonkeyPatch, processes: str) -> None:
    with pytest.raises(SystemExit, match="SUITE_PROCESSES"):
        rendered_config(monkeypatch, processes)


def test_the_control_socket_moves_to_tmp_when_its_path_is_too_long(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(bringup, "RUN", Path("/srv/suite/run"))
    assert bringup.control_socket() == Path("/srv/suite/run/supervisor.sock")
    monkeypatch.setattr(bringup, "RUN", tmp_path / ("x" * 100) / "run")
    socket_path = bringup.control_socket()
    assert socket_path.parent == Path(tempfile.gettempdir()) and len(str(socket_path)) < 100


def test_nothing_answers_when_nothing_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    where = deployment({"SUITE_PORT": str(free_port())})
    monkeypatch.setattr(bringup, "SUPERVISOR_CONFIG", tmp_path / "supervisord.conf")
    assert not bringup.answers(bringup.landing_url(where), where)
    assert bringup.process_states() == []  # no config
    bringup.SUPERVISOR_CONFIG.write_text(f"[supervisorctl]\nserverurl = unix://{tmp_path / 'none.sock'}\n")
    assert bringup.process_states() == []  # nothing listening
