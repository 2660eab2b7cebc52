#!/usr/bin/env python
"""Hello world, five ways, loaded with wrk one after the other.

    .venv/bin/python bench/hello.py [--duration 10] [--connections 50] [--threads 2] [--rounds 3]

1. brubeck-mongrel2: Brubeck (Mongrel2Connection, gevent) behind Mongrel2
2. pyzmq-mongrel2:   a bare blocking pyzmq loop behind Mongrel2: the ceiling
3. aiohttp
4. tornado
5. brubeck-wsgi:     Brubeck under WSGIConnection (gevent's pywsgi)

Each server runs in its own process on free loopback ports, is warmed up,
loaded with the same wrk settings, then stopped; a Markdown table of
requests/s, 99th-percentile latency, the ratio to (2) and the CPU time per
request of the server process (and of Mongrel2) ends the run.  CPU time per
request varies less from round to round than requests/s on a busy machine.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from brubeck import m2sh  # noqa: E402
from brubeck.testing import Mongrel2Server, free_port, single_handler_config  # noqa: E402

START_TIMEOUT = 20.0  # seconds for a server to answer its first request
STOP_TIMEOUT = 10.0
EXPECTED_BODY = b"Hello world"


@dataclass(frozen=True)
class Contender:
    name: str
    module: str  # run as ``python -m MODULE *args ADDRESSES``
    args: tuple[str, ...] = ()
    behind_mongrel2: bool = False


CONTENDERS = (
    Contender("brubeck-mongrel2", "bench.servers.brubeck_hello", ("mongrel2",), behind_mongrel2=True),
    Contender("pyzmq-mongrel2", "bench.servers.pyzmq_loop", behind_mongrel2=True),
    Contender("aiohttp", "bench.servers.aiohttp_hello"),
    Contender("tornado", "bench.servers.tornado_hello"),
    Contender("brubeck-wsgi", "bench.servers.brubeck_hello", ("wsgi",)),
)
BASELINE = "pyzmq-mongrel2"
SUBJECT = "brubeck-mongrel2"


def say(message: str) -> None:
    print(message, flush=True)


def distinct_ports(count: int) -> list[int]:
    """``count`` different free loopback ports."""
    ports: list[int] = []
    while len(ports) < count:
        port = free_port()
        if port not in ports:
            ports.append(port)
    return ports


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def wait_until_serving(url: str, process: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    """Poll ``url`` until it answers ``Hello world``; fail if the process dies or time runs out.

    Behind Mongrel2 the first replies can be lost while the handler's PUB
    socket is still connecting, so every try has a short timeout.
    """
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}:\n{log_tail(log)}")
        try:
            with opener.open(url, timeout=1) as response:
                body = response.read()
            if body == EXPECTED_BODY:
                return
            last_error = f"unexpected body {body[:80]!r}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.1)
    raise RuntimeError(f"no 'Hello world' from {url} within {timeout:g}s ({last_error})\n{log_tail(log)}")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process and all its threads, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime and stime


def measured_round(url: str, args: argparse.Namespace, pids: dict[str, int]) -> wrk.WrkResult:
    """One wrk run, with each server process's CPU time per request."""
    before = {name: cpu_seconds(pid) for name, pid in pids.items()}
    result = wrk.run(url, args.duration, args.connections, args.threads)
    if result.requests:
        result.cpu_us = {name: (cpu_seconds(pid) - before[name]) / result.requests * 1e6 for name, pid in pids.items()}
    return result


def bench_one(contender: Contender, args: argparse.Namespace, workdir: Path) -> wrk.WrkResult:
    """Start one server, warm it up, load it, stop it (and its Mongrel2)."""
    workdir.mkdir(parents=True, exist_ok=True)
    log = workdir / "server.log"
    mongrel2: Mongrel2Server | None = None
    process: subprocess.Popen | None = None
    try:
        if contender.behind_mongrel2:
            port, pull_port, pub_port = distinct_ports(3)
            pull_addr, pub_addr = f"tcp://127.0.0.1:{pull_port}", f"tcp://127.0.0.1:{pub_port}"
            server_uuid = str(uuid.uuid4())
            config = single_handler_config(port, pull_addr, pub_addr, server_uuid)
            say(f"  starting mongrel2 on 127.0.0.1:{port}…")
            mongrel2 = Mongrel2Server(config, workdir, server_uuid, port)
            mongrel2.start()  # assigned first: interrupted mid-start, the finally still stops it
            addresses = [pull_addr, pub_addr]
        else:
            port = free_port()
            addresses = [str(port)]
        url = f"http://127.0.0.1:{port}/"
        say(f"  starting {contender.name} (python -m {contender.module})…")
        env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [sys.executable, "-m", contender.module, *contender.args, *addresses],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches only us; we stop it below
            )
        wait_until_serving(url, process, log)
        pids = {"server": process.pid}
        if mongrel2 is not None and mongrel2.process is not None:
            pids["mongrel2"] = mongrel2.process.pid
        if args.warmup > 0:
            say(f"  warming up for {args.warmup:g}s…")
            wrk.run(url, args.warmup, args.connections, args.threads)
        rounds = []
        for number in range(1, args.rounds + 1):
            say(
                f"  round {number}/{args.rounds}: loading for {args.duration:g}s "
                f"(wrk -t{args.threads} -c{args.connections})…"
            )
            rounds.append(measured_round(url, args, pids))
            say(f"    {rounds[-1].requests_per_s:,.0f} requests/s")
            if process.poll() is not None:
                raise RuntimeError(f"the server died during the run:\n{log_tail(log)}")
        return sorted(rounds, key=lambda r: r.requests_per_s)[len(rounds) // 2]  # the median round
    finally:
        say(f"  stopping {contender.name}…")
        if process is not None:
            stop_process(process)
        if mongrel2 is not None:
            mongrel2.stop()


def machine_line() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"machine: nproc {nproc}, {model}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def versions_line() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as package_version

    parts = [wrk.version()]
    try:
        m2 = subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", "mongrel2-core"], capture_output=True, text=True, timeout=10
        )
        if m2.returncode == 0 and m2.stdout:
            parts.append(f"mongrel2 {m2.stdout}")
    except (OSError, subprocess.SubprocessError):
        pass
    for name in ("gevent", "pyzmq", "aiohttp", "tornado"):
        try:
            parts.append(f"{name} {package_version(name)}")
        except PackageNotFoundError:
            pass
    return "versions: " + ", ".join(parts)


def table(results: dict[str, wrk.WrkResult | str]) -> list[str]:
    baseline = results.get(BASELINE)
    base_rps = baseline.requests_per_s if isinstance(baseline, wrk.WrkResult) else None
    lines = [
        "| server | requests/s | p99 latency | ratio to bare pyzmq loop | CPU µs/request: server, Mongrel2 |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        if isinstance(result, wrk.WrkResult):
            ratio = f"{result.requests_per_s / base_rps:.2f}" if base_rps else "n/a"
            cpu = ", ".join(f"{result.cpu_us[p]:.0f}" for p in ("server", "mongrel2") if p in result.cpu_us) or "n/a"
            lines.append(f"| {name} | {result.requests_per_s:,.0f} | {result.p99_ms:.2f} ms | {ratio} | {cpu} |")
        else:
            lines.append(f"| {name} | failed | failed | n/a | n/a |")
    return lines


def goal_line(results: dict[str, wrk.WrkResult | str]) -> str | None:
    subject, base, peer = (results.get(n) for n in (SUBJECT, BASELINE, "aiohttp"))
    if not all(isinstance(r, wrk.WrkResult) for r in (subject, base, peer)):
        return None
    ratio = subject.requests_per_s / base.requests_per_s
    met = subject.requests_per_s >= peer.requests_per_s and ratio >= 0.6
    return (
        f"goal ({SUBJECT} >= aiohttp and >= 0.6 of {BASELINE}): {'met' if met else 'NOT met'} "
        f"({subject.requests_per_s:,.0f} vs {peer.requests_per_s:,.0f} req/s; ratio {ratio:.2f})"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds of load per server (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="wrk connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument(
        "--rounds", type=int, default=3, help="wrk runs per server; the median one is reported (default 3)"
    )
    parser.add_argument("--warmup", type=float, default=2, help="seconds of wrk warm-up per server (default 2)")
    parser.add_argument(
        "--only",
        default="",
        metavar="NAME[,NAME]",
        help="run only these servers: " + ", ".join(c.name for c in CONTENDERS),
    )
    args = parser.parse_args(argv)
    if not 0 < args.duration <= 600:
        parser.error("--duration must be between 0 and 600 seconds")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if args.threads < 1 or args.connections < args.threads:
        parser.error("need --threads >= 1 and --connections >= --threads")
    names = {c.name for c in CONTENDERS}
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(args.only) - names
    if unknown:
        parser.error(f"unknown server(s): {', '.join(sorted(unknown))}; choose from {', '.join(sorted(names))}")
    return args


def _terminate(signum: int, frame: object) -> None:
    print(f"\n{signal.Signals(signum).name}: stopping every server", file=sys.stderr, flush=True)
    raise SystemExit(128 + signum)  # unwinds through every finally: servers get stopped


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    missing = []
    if not wrk.available():
        missing.append(wrk.WRK_MISSING)
    if not m2sh.available():
        missing.append(m2sh.MONGREL2_MISSING)
    if missing:
        print("bench/hello.py cannot run:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _terminate)

    started = datetime.datetime.now().astimezone()
    load_before = load_average()
    say(f"load average before the run: {load_before} (other busy processes skew the numbers)")
    contenders = [c for c in CONTENDERS if not args.only or c.name in args.only]
    results: dict[str, wrk.WrkResult | str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="brubeck-bench-") as tmp:
            for number, contender in enumerate(contenders, 1):
                say(f"[{number}/{len(contenders)}] starting {contender.name}…")
                try:
                    results[contender.name] = result = bench_one(contender, args, Path(tmp) / contender.name)
                except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
                    results[contender.name] = str(error)
                    say(f"  FAILED: {error}")
                else:
                    say(f"  {result.requests_per_s:,.0f} requests/s, p99 {result.p99_ms:.2f} ms")
    except KeyboardInterrupt:
        print("\ninterrupted; every server was stopped", file=sys.stderr)
        return 130

    say("")
    say(f"date: {started.isoformat(timespec='seconds')}")
    say(machine_line())
    say(versions_line())
    say(
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency on 127.0.0.1, "
        f"after a {args.warmup:g}s warm-up; median of {args.rounds} rounds; one server at a time; "
        f"Brubeck on {os.environ.get('BRUBECK_CONCURRENCY') or 'gevent'}"
    )
    say(f"load average: {load_before} before, {load_average()} after (1, 5, 15 min)")
    say("")
    for line in table(results):
        say(line)
    say("")
    for name, result in results.items():
        if isinstance(result, wrk.WrkResult) and result.errors:
            details = ", ".join(f"{kind} {count}" for kind, count in result.errors.items())
            say(f"note: {name}: wrk counted errors ({details}) in {result.requests:,} requests")
        elif isinstance(result, str):
            say(f"note: {name} failed: {' / '.join(result.splitlines()) or 'unknown error'}")
    goal = goal_line(results)
    if goal:
        say(goal)
    return 1 if any(isinstance(r, str) for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
