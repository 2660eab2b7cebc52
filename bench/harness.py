"""The processes of a benchmark run: Mongrel2 and handlers on free loopback ports, started, waited for,
measured and stopped; and a run's frame (tools checked, SIGTERM, the load average, a work folder)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from bench import SERVER_ENV, wrk
from bench.client import fetch
from brubeck import m2sh
from brubeck.testing import Mongrel2Server, free_port, single_handler_config

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 20.0  # seconds for the servers to answer their first request
STOP_TIMEOUT = 10.0
SETTLE_TIMEOUT = 120.0
BUSY_LOAD = 1.0  # a 1-minute load average above this before the run: other processes skew the numbers


def say(message: str) -> None:
    print(message, flush=True)


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime


def stolen_seconds() -> float:
    """CPU time the hypervisor gave to other guests while this machine's cores had work (``steal``, summed
    over the cores), from /proc/stat: 0 on bare metal."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()  # cpu user nice system idle … steal
    return int(fields[8]) / os.sysconf("SC_CLK_TCK") if len(fields) > 8 else 0.0


def connected(pid: int, port: int) -> bool:
    """Whether process ``pid`` holds an established TCP connection to ``port`` on 127.0.0.1 (from /proc)."""
    sockets = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with suppress(OSError):  # closed meanwhile
                sockets.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        return False
    for line in table:
        fields = line.split()  # local address, remote address (hex ip:port), state (01: established), …, inode
        if fields[3] == "01" and int(fields[2].rsplit(":", 1)[1], 16) == port and f"socket:[{fields[9]}]" in sockets:
            return True
    return False


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def listed(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))


@dataclass(frozen=True)
class Route:
    """A Mongrel2 handler's ZeroMQ ports on loopback: requests to its processes (``pull``), their replies (``pub``)."""

    pull_port: int
    pub_port: int

    @property
    def pull(self) -> str:
        return f"tcp://127.0.0.1:{self.pull_port}"

    @property
    def pub(self) -> str:
        return f"tcp://127.0.0.1:{self.pub_port}"


def one_route(port: int, server_uuid: str, routes: list[Route]) -> str:
    """A Mongrel2 config sending every request to the one handler."""
    return single_handler_config(port, routes[0].pull, routes[0].pub, server_uuid)


@dataclass
class Handler:
    """A server process, behind Mongrel2's ``route`` or not."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    route: Route | None

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)

    def check_running(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with code {self.process.returncode}:\n{log_tail(self.log)}")

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it has not exited within :data:`STOP_TIMEOUT`."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def ready(self) -> bool:
        """Connected to its Mongrel2 route: from then on Mongrel2 hands it its share of the requests."""
        return self.route is None or connected(self.process.pid, self.route.pull_port)


class Servers:
    """Mongrel2 and the handler processes of a measurement, their logs and Mongrel2's files in ``workdir``."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = 0  # where the clients connect: Mongrel2's, or a handler's own
        self.mongrel2: Mongrel2Server | None = None
        self.handlers: list[Handler] = []

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def take_port(self) -> int:
        """A free port for a server that listens itself, without Mongrel2."""
        self.port = free_port()
        return self.port

    def start_mongrel2(
        self, routes: int = 1, config: Callable[[int, str, list[Route]], str] = one_route
    ) -> list[Route]:
        """Mongrel2 on free ports with ``routes`` handler routes; ``config(port, uuid, routes)`` writes its config."""
        self.port = first = free_port(1 + 2 * routes)
        taken = [Route(first + 1 + 2 * number, first + 2 + 2 * number) for number in range(routes)]
        server_uuid = str(uuid.uuid4())
        say(f"  starting mongrel2 on 127.0.0.1:{self.port}…")
        self.mongrel2 = Mongrel2Server(config(self.port, server_uuid, taken), self.workdir, server_uuid, self.port)
        self.mongrel2.start()  # assigned first: interrupted mid-start, stop() still stops it
        return taken

    def start(
        self, name: str, module: str, *args: str, route: Route | None = None, env: Mapping[str, str] | None = None
    ) -> Handler:
        """``python -m MODULE ARGS`` from the repository root, its output in ``NAME.log``; given a ``route``,
        told it in ``BRUBECK_PULL`` and ``BRUBECK_PUB`` (as the suite's processes read it)."""
        addresses = {"BRUBECK_PULL": route.pull, "BRUBECK_PUB": route.pub} if route else {}
        return self.start_command(name, [sys.executable, "-m", module, *args], route, {**addresses, **(env or {})})

    def start_command(
        self, name: str, argv: list[str], route: Route | None = None, env: Mapping[str, str] | None = None
    ) -> Handler:
        """``argv`` from the repository root, its output in ``NAME.log`` (a server that is no Python module too)."""
        say(f"  starting {name} ({' '.join(argv[2:] if argv[0] == sys.executable else argv)})…")
        log = self.workdir / f"{name}.log"
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env={**SERVER_ENV, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; stop() stops it
            )
        self.handlers.append(Handler(name, process, log, route))
        return self.handlers[-1]

    def wait_until_serving(self, problem: Callable[[], str | None]) -> None:
        """Wait until every handler is connected to its route and ``problem()`` (a request) finds none.

        Early replies can be lost while ZeroMQ connects, hence the polling, each request with a short timeout.
        """
        deadline = time.monotonic() + START_TIMEOUT
        found: str | None = "no answer"
        while time.monotonic() < deadline:
            self.check_running()
            waiting = [handler.name for handler in self.handlers if not handler.ready()]
            found = f"{listed(waiting)} not connected to Mongrel2 yet" if waiting else problem()
            if found is None:
                return
            time.sleep(0.1)
        raise RuntimeError(f"no answer within {START_TIMEOUT:g}s ({found})\n{log_tail(self.handlers[0].log)}")

    def check_running(self) -> None:
        for handler in self.handlers:
            handler.check_running()

    def cpu_seconds(self) -> float:
        """CPU time of the handler processes so far."""
        return sum(handler.cpu_seconds() for handler in self.handlers)

    def stop(self) -> None:
        names = [handler.name for handler in self.handlers] + (["mongrel2"] if self.mongrel2 else [])
        if names:
            say(f"  stopping {listed(names)}…")
        for handler in self.handlers:
            handler.stop()
        if self.mongrel2 is not None:
            self.mongrel2.stop()


@contextmanager
def serving(workdir: Path) -> Iterator[Servers]:
    """Servers to start in ``workdir``, all stopped on leaving the ``with``."""
    workdir.mkdir(parents=True, exist_ok=True)
    servers = Servers(workdir)
    try:
        yield servers
    finally:
        servers.stop()


def site_env(data_dir: Path) -> dict[str, str]:
    """What a suite site's process is given: the store in ``data_dir``, a cookie secret, warnings only."""
    return {"SUITE_DATA_DIR": str(data_dir), "COOKIE_SECRET": "bench-" + uuid.uuid4().hex, "LOG_LEVEL": "WARNING"}


def settle(port: int, path: str, headers: Mapping[str, str], name: str = "the server") -> None:
    """Wait until ``GET path`` answers within 20 ms three times running: the server has worked off what
    the last run left queued (slow pages pile up)."""
    started, quick = time.monotonic(), 0
    while quick < 3:
        if time.monotonic() - started > SETTLE_TIMEOUT:
            raise RuntimeError(f"{name} was still busy {SETTLE_TIMEOUT:g}s after the last run")
        sent = time.monotonic()
        try:
            ok = fetch(port, path, headers=headers, timeout=SETTLE_TIMEOUT).status == 200
        except OSError:
            ok = False
        quick = quick + 1 if ok and time.monotonic() - sent < 0.02 else 0
    waited = time.monotonic() - started
    if waited > 1:
        say(f"  (waited {waited:.0f}s for {name} to work off the requests queued by the last run)")


def _terminate(signum: int, frame: object) -> None:
    print(f"\n{signal.Signals(signum).name}: stopping every server", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)  # unwinds through every finally: servers stopped, folders removed


def begin(script: str) -> bool | None:
    """A benchmark's first steps: None (said why) when wrk or Mongrel2 is missing; else stop on SIGTERM,
    say the load average, and whether the machine is busy (returned)."""
    checks = ((wrk.available(), wrk.WRK_MISSING), (m2sh.available(), m2sh.MONGREL2_MISSING))
    missing = [text for ok, text in checks if not ok]
    if missing:
        print(f"{script} cannot run:\n  " + "\n  ".join(missing), file=sys.stderr)
        return None
    signal.signal(signal.SIGTERM, _terminate)
    say(f"load average before the run: {load_average()} (other busy processes skew the numbers)")
    busy = os.getloadavg()[0] > BUSY_LOAD
    if busy:
        say(f"warning: the machine is busy (1-minute load above {BUSY_LOAD:g}); the numbers will be high and noisy")
    return busy


def run(script: str, measure: Callable[[Path], list[str]], folder: Path | None = None, keep: bool = False) -> int:
    """A store benchmark from :func:`begin` to its report: ``measure(folder)`` in ``folder`` (kept), or in a
    new folder (removed unless ``keep``), then the report lines it returns; the exit status."""
    busy = begin(script)
    if busy is None:
        return 2
    clock = time.monotonic()
    work = folder or Path(tempfile.mkdtemp(prefix=f"brubeck-{script.replace('.', '-')}-"))
    try:
        lines = measure(work)
    except KeyboardInterrupt:
        print("\ninterrupted; every process was stopped", file=sys.stderr)
        return 130
    except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
        print(f"{script} failed: {error}", file=sys.stderr)
        return 1
    finally:
        if folder or keep:
            say(f"data folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for line in lines:
        say(line)
    if busy:
        say(f"warning: the machine was busy when the run began (load above {BUSY_LOAD:g}): measure again when idle")
    say(f"total time: {time.monotonic() - clock:.0f}s")
    return 0
