"""Run wrk and read its report: requests per second, 99th percentile, errors."""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

WRK_MISSING = "wrk is not installed. On Debian or Ubuntu run: sudo apt-get install wrk"

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.M)
_P99 = re.compile(r"^\s*99(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_P50 = re.compile(r"^\s*50(?:\.0+)?%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.M)
_TOTAL = re.compile(r"^\s*(\d+) requests in", re.M)
_SOCKET_ERRORS = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


@dataclass
class WrkResult:
    requests_per_s: float
    p99_ms: float
    requests: int
    errors: dict[str, int]
    output: str
    cpu_us: dict[str, float] = field(default_factory=dict)  # CPU time per request, by process, when measured
    p50_ms: float | None = None


def available() -> bool:
    return shutil.which("wrk") is not None


def version() -> str:
    """wrk's version line (``wrk -v`` prints it and exits 1)."""
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (result.stdout or result.stderr).splitlines()[0].split(" Copyright")[0].strip()


def parse(output: str) -> WrkResult:
    """Read wrk's ``--latency`` report; raise ``ValueError`` if it has no numbers."""
    rps = _RPS.search(output)
    p99 = _P99.search(output)
    if not rps or not p99:
        raise ValueError(f"wrk printed no requests/s or 99% latency:\n{output}")
    errors: dict[str, int] = {}
    socket_errors = _SOCKET_ERRORS.search(output)
    if socket_errors:
        for name, count in zip(("connect", "read", "write", "timeout"), socket_errors.groups(), strict=True):
            if int(count):
                errors[name] = int(count)
    non_2xx = _NON_2XX.search(output)
    if non_2xx:
        errors["non-2xx"] = int(non_2xx.group(1))
    total = _TOTAL.search(output)
    p50 = _P50.search(output)
    return WrkResult(
        requests_per_s=float(rps.group(1)),
        p99_ms=float(p99.group(1)) * _UNITS_MS[p99.group(2)],
        requests=int(total.group(1)) if total else 0,
        errors=errors,
        output=output,
        p50_ms=float(p50.group(1)) * _UNITS_MS[p50.group(2)] if p50 else None,
    )


def command(url: str, duration: float, connections: int, threads: int, headers: Sequence[str] = ()) -> list[str]:
    """wrk's command line; each of ``headers`` is ``"Name: value"``."""
    extra = [part for header in headers for part in ("-H", header)]
    return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration:g}s", "--latency", "--timeout", "2s", *extra, url]


def run(url: str, duration: float, connections: int, threads: int, headers: Sequence[str] = ()) -> WrkResult:
    """Load ``url`` for ``duration`` seconds; killed if it overruns by 30 s."""
    args = command(url, duration, connections, threads, headers)
    result = subprocess.run(args, capture_output=True, text=True, timeout=duration + 30)
    if result.returncode:
        raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr}{result.stdout}")
    return parse(result.stdout)


def start(
    url: str, duration: float, connections: int, threads: int, headers: Sequence[str] = ()
) -> subprocess.Popen[str]:
    """Start wrk in the background (to load two URLs at once); read it with :func:`finish`."""
    return subprocess.Popen(
        command(url, duration, connections, threads, headers),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], duration: float) -> WrkResult:
    """Wait for a wrk from :func:`start` (killed if it overruns by 30 s) and read its report."""
    try:
        stdout, stderr = process.communicate(timeout=duration + 30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    if process.returncode:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{stderr}{stdout}")
    return parse(stdout)


def measured(
    url: str,
    duration: float,
    connections: int,
    threads: int,
    headers: Sequence[str],
    clocks: Mapping[str, Callable[[], float]],
) -> WrkResult:
    """:func:`run`, with the CPU time per request of each process in ``clocks`` (each reads its total)."""
    before = {name: clock() for name, clock in clocks.items()}
    result = run(url, duration, connections, threads, headers)
    if result.requests:
        result.cpu_us = {name: (clock() - before[name]) / result.requests * 1e6 for name, clock in clocks.items()}
    return result


def one_client(
    url: str, duration: float, warmup: float, headers: Sequence[str], cpu_seconds: Callable[[], float]
) -> WrkResult:
    """One client after a warm-up, with the server's CPU time per request (``cpu_seconds()`` reads its total)."""
    if warmup:
        run(url, warmup, 1, 1, headers)
    return measured(url, duration, 1, 1, headers, {"server": cpu_seconds})


def beside_load(
    url: str,
    headers: Sequence[str],
    clients: int,
    duration: float,
    other_url: str,
    other_headers: Sequence[str] = (),
) -> tuple[WrkResult, WrkResult]:
    """``clients`` clients on ``url`` while one more asks for ``other_url`` inside the load's window: (load, other)."""
    load_duration = duration + 1
    load = start(url, load_duration, clients, 2, headers)
    try:
        time.sleep(0.5)
        other = run(other_url, duration, 1, 1, other_headers)
        return finish(load, load_duration), other
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()


def add_load_options(parser: argparse.ArgumentParser, per: str, duration: float, warmup: float) -> None:
    """The options of a benchmark that loads each ``per`` (server, path) with wrk over several rounds."""
    parser.add_argument(
        "--duration", type=float, default=duration, help=f"seconds of load per {per} (default {duration:g})"
    )
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help=f"wrk runs per {per}; the median one is reported (default 3)"
    )
    parser.add_argument(
        "--warmup", type=float, default=warmup, help=f"seconds of wrk warm-up per {per} (default {warmup:g})"
    )


def check_load_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (``parser.error``) load options out of bounds."""
    if not 0 < args.duration <= 600:
        parser.error("--duration must be between 0 and 600 seconds")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if args.threads < 1 or args.connections < args.threads:
        parser.error("need --threads >= 1 and --connections >= --threads")
