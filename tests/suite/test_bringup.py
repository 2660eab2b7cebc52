"""The real bring-up (``python -m conf.bringup run``, what ``make run`` runs) in a copy of the repo.

It must serve the landing page and every site through Mongrel2, say it is ready
only once they answer, start again a process that dies while the others keep
serving, stop every process it started on SIGTERM, leave its ports and no
pid or socket file behind, and start again.
"""

from __future__ import annotations

import configparser
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from brubeck.responses import PAGE_POLICY
from brubeck.testing import free_port
from conf import bringup
from conf.settings import deployment
from tests.support.bringup import (
    EXAMPLE,
    GIVE_UP_TIMEOUT_S,
    PASSWORD,
    READY,
    RESTART_TIMEOUT_S,
    SITE_NAMES,
    STOP_TIMEOUT_S,
    Suite,
    copied_suite,
    port_is_free,
    processes_inside,
)
from tests.support.servers import ROOT

pytestmark = pytest.mark.integration


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[Suite]:
    with copied_suite(tmp_path) as copy:
        yield copy


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
    assert f'<a href="http://{suite.example_host}/">{EXAMPLE.title}</a>' in page.text


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
    for program in ("supervisord", "mongrel2 run/config.sqlite", "redis-server", EXAMPLE.command):
        assert program in commands, f"{program} not started: {commands}"
    log = suite.output()
    assert log.index(f"Answering: {EXAMPLE.title}") < log.index(READY) < log.index(f"http://{suite.example_host}/ ")
    for title in SITE_NAMES:
        assert log.index(f"Answering: {title}") < log.index(READY)  # ready only once every site answers
    assert (suite.workdir / "run" / "mongrel2.pid").exists()
    assert (suite.workdir / "run" / "supervisord.conf").stat().st_mode & 0o077 == 0  # it holds a password

    second = subprocess.run(
        [sys.executable, "-m", "conf.bringup", "run"], cwd=suite.workdir, env=suite.env, capture_output=True, text=True
    )
    assert second.returncode == 1 and "already running" in second.stderr, second
    assert suite.get("/login", suite.example_host).status_code == 200  # the first one goes on

    browser = suite.client()
    login = browser.get("/login")
    assert login.status_code == 200 and "<h1>Log in</h1>" in login.text
    assert browser.get("/static/site.css").status_code == 200  # Mongrel2 serves the site's static files
    browser.sign_up("alice", PASSWORD)
    for lookalike in (f"x{suite.example_host}", f"evil.{suite.example_host}"):  # hosts match exactly
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
    suite.env["SUITE_PROCESSES"] = f"{EXAMPLE.program}=2"
    suite.start(1)
    suite.wait_until_serving()
    assert len(suite.pids_of(EXAMPLE.command)) == 2
    suite.client().sign_up("alice", PASSWORD)
    assert (data_dir / "suite.sqlite3").is_file() and (data_dir / "redis").is_dir()
    assert not (suite.workdir / "var").exists()
    assert_stopped_cleanly(suite)


def test_a_killed_site_is_started_again_while_mongrel2_serves_the_rest(suite: Suite) -> None:
    suite.start(1)
    suite.wait_until_serving()
    [mongrel2] = suite.pids_of("mongrel2 run/config.sqlite")
    [killed] = suite.pids_of(EXAMPLE.command)

    os.kill(killed, signal.SIGKILL)
    killed_at = time.monotonic()
    while True:  # meanwhile Mongrel2 serves the landing page and the site's static files
        assert suite.process.poll() is None, f"the bring-up exited when {EXAMPLE.title} died:\n{suite.log()}"
        assert suite.get("/", timeout=2).status_code == 200
        assert suite.get("/static/site.css", suite.example_host, timeout=2).status_code == 200
        try:
            if suite.get("/login", suite.example_host, timeout=1).status_code == 200:
                break
        except requests.RequestException:
            pass
        assert time.monotonic() - killed_at < RESTART_TIMEOUT_S, f"{EXAMPLE.title} was not back:\n{suite.log()}"
        time.sleep(0.2)

    [restarted] = suite.pids_of(EXAMPLE.command)
    assert restarted != killed
    assert suite.pids_of("mongrel2 run/config.sqlite") == [mongrel2]  # Mongrel2 ran on throughout
    events = (suite.workdir / "run" / "logs" / "supervisord.log").read_text()
    for event in (
        f"exited: {EXAMPLE.program}-0 (terminated by SIGKILL; not expected)",
        f"spawned: '{EXAMPLE.program}-0' with pid {restarted}",
    ):
        assert event in events
        assert event in suite.output()  # and in the terminal
    suite.note_processes()
    assert_stopped_cleanly(suite)


def test_a_site_that_cannot_start_stops_the_bringup(suite: Suite) -> None:
    (suite.workdir / EXAMPLE.main).write_text(f"raise SystemExit('{EXAMPLE.program} is broken')\n")
    suite.start(1)
    try:
        code = suite.process.wait(GIVE_UP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the bring-up still runs {GIVE_UP_TIMEOUT_S}s after {EXAMPLE.title} kept failing:\n{suite.log()}")
    log = suite.output()
    assert code == 1, log
    assert f"{EXAMPLE.program} is broken" in log and f"{EXAMPLE.program}-0 BACKOFF" in log
    assert f"{EXAMPLE.program}-0 could not start" in log and READY not in log
    assert_nothing_left(suite)


def rendered_config(monkeypatch: pytest.MonkeyPatch, processes: str = "") -> configparser.RawConfigParser:
    monkeypatch.setenv("SUITE_PROCESSES", processes)
    config = configparser.RawConfigParser()
    config.read_string(bringup.supervisor_config(deployment()))
    return config


def test_supervisord_runs_a_program_per_procfile_line_that_is_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    config = rendered_config(monkeypatch, f"{EXAMPLE.program}=3")
    programs = [section.removeprefix("program:") for section in config.sections() if section.startswith("program:")]
    assert programs == list(bringup.procfile(deployment()))  # one a line, in its order
    assert programs[0] == "redis" and programs[-2:] == ["landing", "mongrel2"]  # Mongrel2 last
    assert config.getboolean("supervisord", "nodaemon")
    example = config[f"program:{EXAMPLE.program}"]
    assert example["numprocs"] == "3" and example["process_name"] == "%(program_name)s-%(process_num)d"
    assert example["command"] == f"{sys.executable} {EXAMPLE.command}"
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


@pytest.mark.parametrize(
    "processes", ["mongrel2=2", "redis=2", f"{EXAMPLE.program}=0", EXAMPLE.program, "nosuch=2", f"{EXAMPLE.program}=x"]
)
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
