"""Bring the suite up: ``python -m conf.bringup prepare|run``.

``prepare`` makes var/ and run/, the cookie secret, Mongrel2's config
database, the landing page and run/supervisord.conf (conf/supervisord.conf
with a program per line of conf/Procfile).  ``run`` prepares, then starts
supervisord in the foreground: it starts every process, starts again any that
exits (backing off when one keeps dying at once), and stops them all on Ctrl-C
or SIGTERM, which this process passes on to it.  Meanwhile ``run`` asks every
site through Mongrel2 until all answer, and only then says the suite is ready.
"""

from __future__ import annotations

import configparser
import ctypes
import hashlib
import html
import http.client
import os
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import xmlrpc.client
from pathlib import Path
from string import Template
from types import FrameType
from typing import Any, cast

from supervisor.xmlrpc import SupervisorTransport  # type: ignore[import-untyped]

from brubeck import m2sh

from .settings import ROOT, Deployment, deployment, stored_secret
from .sites import SERVICES, SITES

CONF = Path(__file__).resolve().parent
RUN = ROOT / "run"
SUPERVISOR_CONFIG = RUN / "supervisord.conf"
SERVER_UUID = "2f62bd5e-9a5e-4c31-b0a1-6d4e1c0f7b11"
# Procfile entries that run one process each (SUITE_PROCESSES cannot have more): servers, and services' hubs.
ONE_PROCESS = ("mongrel2", "redis", *(f"{name}-hub" for name in SERVICES))
POLL_INTERVAL_S = 0.25
PROGRESS_INTERVAL_S = 3.0
PAGE_TIMEOUT_S = 2.0
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _render(template: str, **values: object) -> str:
    return Template((CONF / template).read_text()).substitute({k: str(v) for k, v in values.items()})


def procfile(where: Deployment) -> dict[str, str]:
    """conf/Procfile for this machine, name to command, without Redis when REDIS_URL is set."""
    text = _render(
        "Procfile",
        python=shlex.quote(sys.executable),
        server_uuid=SERVER_UUID,
        redis_port=where.redis_port,
        redis_dir=shlex.quote(str(where.data_dir / "redis")),
        redis_maxmemory=shlex.quote(where.redis_maxmemory),
    )
    entries = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, command = line.split(":", 1)
            entries[name.strip()] = command.strip()
    if not where.own_redis:
        del entries["redis"]
    return entries


def running_sites(where: Deployment) -> list[str]:
    """The sites conf/Procfile runs, in the order of conf/sites.py."""
    programs = procfile(where)
    return [name for name in SITES if name in programs]


def mongrel2_config(where: Deployment) -> str:
    """conf/mongrel2.conf for this machine: a handler and a host for each site the Procfile runs."""
    handlers, hosts = [], []
    # The shorter names first: Mongrel2 loads "localhost" wrongly after a name that ends with it.
    for name in sorted(running_sites(where), key=lambda name: len(SITES[name].host)):
        site, (send, recv) = SITES[name], where.ports(name)
        variable = name.replace("-", "_")  # a name in m2sh's config holds no hyphen: readify-api is readify_api
        ident = uuid.uuid5(uuid.UUID(SERVER_UUID), name)
        handlers.append(
            f"{variable} = Handler(send_spec='tcp://{where.mongrel2_bind}:{send}', send_ident='{ident}',\n"
            f"    recv_spec='tcp://{where.mongrel2_bind}:{recv}', recv_ident='')"
        )
        routes = f"'/': {variable}"
        if site.static:
            handlers.append(
                f"{variable}_static = Dir(base='{site.static}', index_file='index.html', default_ctype='text/plain')"
            )
            routes += f", '/static/': {variable}_static"
        hosts.append(f'        Host(name="{site.host}", matching="${site.host}", routes={{{routes}}})')
    return _render(
        "mongrel2.conf",
        port=where.suite_port,
        server_uuid=SERVER_UUID,
        handlers="\n".join(handlers),
        hosts=",\n".join(hosts),
    )


def landing_page(where: Deployment) -> str:
    """The page at http://localhost:PORT/: one line and one link for each site the suite runs."""
    items = []
    for name in running_sites(where):
        site = SITES[name]
        if site.title:
            url = f"http://{site.host}:{where.suite_port}/"
            link = f'<a href="{html.escape(url)}">{html.escape(site.title)}</a>'
            items.append(f"  <li>{link}: {html.escape(site.line)}</li>")
    return _render("landing.html", sites="\n".join(items))


def process_counts(programs: dict[str, str]) -> dict[str, int]:
    """How many processes each program runs: one, or what SUITE_PROCESSES ("listsurf=3,readify-api=2") says."""
    counts = dict.fromkeys(programs, 1)
    for item in os.environ.get("SUITE_PROCESSES", "").replace(",", " ").split():
        name, _, number = item.partition("=")
        if name not in programs or name in ONE_PROCESS or not number.isdigit() or int(number) < 1:
            scalable = ", ".join(sorted(set(programs) - set(ONE_PROCESS)))
            sys.exit(f"SUITE_PROCESSES: {item!r} is not NAME=COUNT with COUNT at least 1 and NAME one of: {scalable}")
        counts[name] = int(number)
    return counts


def control_socket() -> Path:
    """supervisord's control socket: run/supervisor.sock, or one in /tmp when that path is too long for a socket."""
    path = RUN / "supervisor.sock"
    if len(os.fsencode(path)) <= 100:  # the limit is 107 bytes
        return path
    digest = hashlib.sha256(os.fsencode(ROOT)).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"brubeck-suite-{digest}.sock"


def supervisor_config(where: Deployment) -> str:
    """conf/supervisord.conf for this machine, with a program for each line of conf/Procfile."""
    programs = procfile(where)
    counts = process_counts(programs)
    user = "user = root" if os.geteuid() == 0 else ""  # says running as root is meant (supervisord warns otherwise)
    password = secrets.token_urlsafe(24)
    sections = [_render("supervisord.conf", run=RUN, socket=control_socket(), user=user, password=password)]
    for priority, (name, command) in enumerate(programs.items(), start=1):
        sections.append(
            _render(
                "supervisord-program.conf",
                name=name,
                command=command.replace("%", "%%"),  # supervisord expands %(name)s in commands
                numprocs=counts[name],
                directory=ROOT,
                priority=priority,
            )
        )
    return "\n".join(sections)


def prepare(where: Deployment) -> Path:
    """Make everything the processes need; return supervisord's config file."""
    if not m2sh.available():
        sys.exit(m2sh.MONGREL2_MISSING)
    if where.own_redis and shutil.which("redis-server") is None:
        sys.exit(
            "Redis is not installed. On Debian or Ubuntu run: sudo apt-get install redis-server "
            "(or set REDIS_URL to use a Redis elsewhere)"
        )
    if process_states():
        sys.exit(f"The suite is already running from {ROOT} (supervisord, run/supervisord.pid): stop it first")
    config = supervisor_config(where)
    for folder in (RUN / "logs", where.data_dir / "redis"):
        folder.mkdir(parents=True, exist_ok=True)
    for variable, name in (("COOKIE_SECRET", "cookie_secret"), ("SERVICE_PASSPHRASE", "service_passphrase")):
        if not os.environ.get(variable, "").strip():
            stored_secret(where.data_dir, name)  # made once here, rather than by the first of many processes
    print("Loading conf/mongrel2.conf into run/config.sqlite", flush=True)
    m2sh.load(mongrel2_config(where), ROOT)
    SUPERVISOR_CONFIG.unlink(missing_ok=True)
    with os.fdopen(os.open(SUPERVISOR_CONFIG, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as handle:
        handle.write(config)  # holds the control socket's password
    return SUPERVISOR_CONFIG


def landing_url(where: Deployment) -> str:
    return f"http://localhost:{where.suite_port}/"


def pages(where: Deployment) -> dict[str, str]:
    """What must answer before the suite is ready: a label for each URL (the landing page, every site)."""
    found = {landing_url(where): "the landing page"}
    for name in running_sites(where):
        found.setdefault(f"http://{SITES[name].host}:{where.suite_port}/", SITES[name].title or name)
    return found


def answers(url: str, where: Deployment) -> bool:
    """True when Mongrel2 answers ``url`` (asked on loopback, by its Host header) with a page or a redirect."""
    host = url.split("/")[2]
    connection = http.client.HTTPConnection("127.0.0.1", where.suite_port, timeout=PAGE_TIMEOUT_S)
    try:
        connection.request("GET", "/", headers={"Host": host})
        return connection.getresponse().status < 400
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def process_states() -> list[dict[str, Any]]:
    """supervisord's view of every process (name, statename, pid...) by run/supervisord.conf; empty if none answers."""
    control = configparser.RawConfigParser()
    if not control.read(SUPERVISOR_CONFIG) or not control.has_option("supervisorctl", "serverurl"):
        return []
    client = control["supervisorctl"]
    transport = SupervisorTransport(client.get("username"), client.get("password"), client["serverurl"])
    try:
        states = xmlrpc.client.ServerProxy("http://localhost", transport).supervisor.getAllProcessInfo()
    except (OSError, xmlrpc.client.Error, http.client.HTTPException):
        return []
    return cast(list[dict[str, Any]], states)


class Suite:
    """supervisord running the suite, and what this process knows of it."""

    def __init__(self, config: Path, where: Deployment) -> None:
        self.stopping = False
        self.where = where
        self.process = subprocess.Popen(
            [sys.executable, "-m", "supervisor.supervisord", "-c", str(config)],
            cwd=ROOT,
            preexec_fn=_stop_when_parent_dies,
        )
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, self.stop)

    def stop(self, signum: int, frame: FrameType | None) -> None:
        """On Ctrl-C, SIGTERM or SIGHUP: have supervisord stop everything (Ctrl-C in a terminal reached it too)."""
        self.stopping = True
        self.terminate()

    def terminate(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def wait_until_ready(self) -> bool:
        """Ask every page until all answer, saying what is awaited; False if the suite stopped or gave up.

        The sites are asked once every process has stayed up for startsecs: Mongrel2 holds a request for
        a handler that is not there, and aborts if it is stopped while it holds one.
        """
        waiting = pages(self.where)
        next_report = time.monotonic() + PROGRESS_INTERVAL_S
        while waiting:
            if self.stopping or self.process.poll() is not None:
                return False
            states = process_states()
            failed = [state["name"] for state in states if state["statename"] == "FATAL"]
            if failed:
                print(f"\n{', '.join(failed)} could not start (its output is above); stopping the suite.", flush=True)
                return False
            starting = [f"{state['name']} {state['statename']}" for state in states if state["statename"] != "RUNNING"]
            up = bool(states) and not starting
            for url in [url for url in waiting if up and answers(url, self.where)]:
                print(f"Answering: {waiting.pop(url)}, {url}", flush=True)
            if waiting and time.monotonic() >= next_report:
                detail = f" ({', '.join(starting)})" if starting else ""
                print(f"Waiting for {', '.join(waiting.values())}{detail}", flush=True)
                next_report = time.monotonic() + PROGRESS_INTERVAL_S
            time.sleep(POLL_INTERVAL_S)
        return True


def _stop_when_parent_dies() -> None:
    """Run in supervisord's process before it starts: SIGTERM it if the bring-up process dies (Linux only)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run(where: Deployment) -> None:
    """Prepare, start supervisord, say when every site answers, and stop with it."""
    config = prepare(where)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ.setdefault("LOGNAME", "brubeck")
    print(
        f"\nStarting the Brubeck suite on port {where.suite_port} (supervisord: run/logs/supervisord.log)\n",
        flush=True,
    )
    suite = Suite(config, where)
    ready = suite.wait_until_ready()
    if ready:
        print("\nThe Brubeck suite is ready:")
        for url, label in pages(where).items():
            print(f"  {url}  ({label})")
        print(
            "A process that exits is started again (run/logs/supervisord.log). Ctrl-C stops everything.\n", flush=True
        )
    elif not suite.stopping:
        suite.terminate()
    code = suite.process.wait()
    if code < 0:
        print(f"supervisord was killed (signal {-code}): what it ran may still be running", flush=True)
    sys.exit(128 - code if code < 0 else code or (0 if ready or suite.stopping else 1))


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "prepare":
        prepare(deployment())
    elif command == "run":
        run(deployment())
    else:
        sys.exit("usage: python -m conf.bringup [prepare|run]")
