"""Hello world, five ways, loaded with wrk one after the other.

    .venv/bin/python -m bench.hello [--duration 10] [--connections 50] [--threads 2] [--rounds 3]

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
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

from bench import harness, report, wrk
from bench.client import problem
from bench.harness import say

EXPECTED_BODY = "Hello world"


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


def bench_one(contender: Contender, args: argparse.Namespace, workdir: Path) -> wrk.WrkResult:
    """Start one server, warm it up, load it, stop it (and its Mongrel2)."""
    with harness.serving(workdir) as servers:
        route = servers.start_mongrel2()[0] if contender.behind_mongrel2 else None
        addresses = [route.pull, route.pub] if route else [str(servers.take_port())]
        servers.start(contender.name, contender.module, *contender.args, *addresses, route=route)
        servers.wait_until_serving(lambda: problem(servers.port, "/", body=EXPECTED_BODY))
        clocks: dict[str, Callable[[], float]] = {"server": servers.cpu_seconds}
        if servers.mongrel2 is not None and servers.mongrel2.process is not None:
            clocks["mongrel2"] = partial(harness.cpu_seconds, servers.mongrel2.process.pid)
        url = servers.url("/")
        if args.warmup > 0:
            say(f"  warming up for {args.warmup:g}s…")
            wrk.run(url, args.warmup, args.connections, args.threads)
        rounds = []
        for number in range(1, args.rounds + 1):
            say(
                f"  round {number}/{args.rounds}: loading for {args.duration:g}s "
                f"(wrk -t{args.threads} -c{args.connections})…"
            )
            rounds.append(wrk.measured(url, args.duration, args.connections, args.threads, (), clocks))
            say(f"    {rounds[-1].requests_per_s:,.0f} requests/s")
            servers.check_running()
        return sorted(rounds, key=lambda r: r.requests_per_s)[len(rounds) // 2]  # the median round


def machine_line() -> str:
    return (
        f"machine: nproc {report.cores()}, {report.cpu_model()}, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


def versions_line() -> str:
    mongrel2 = report.mongrel2_version()
    parts = [wrk.version(), *([f"mongrel2 {mongrel2}"] if mongrel2 else [])]
    for name in ("gevent", "pyzmq", "aiohttp", "tornado"):
        try:
            parts.append(f"{name} {package_version(name)}")
        except PackageNotFoundError:
            pass
    return "versions: " + ", ".join(parts)


def table(results: dict[str, wrk.WrkResult | str]) -> list[str]:
    baseline = results.get(BASELINE)
    base_rps = baseline.requests_per_s if isinstance(baseline, wrk.WrkResult) else None
    rows = []
    for name, result in results.items():
        if isinstance(result, wrk.WrkResult):
            ratio = f"{result.requests_per_s / base_rps:.2f}" if base_rps else "n/a"
            cpu = ", ".join(f"{result.cpu_us[p]:.0f}" for p in ("server", "mongrel2") if p in result.cpu_us) or "n/a"
            rows.append([name, f"{result.requests_per_s:,.0f}", f"{result.p99_ms:.2f} ms", ratio, cpu])
        else:
            rows.append([name, "failed", "failed", "n/a", "n/a"])
    head = ["server", "requests/s", "p99 latency", "ratio to bare pyzmq loop", "CPU µs/request: server, Mongrel2"]
    return report.table(head, "lrrrr", rows)


def goal_line(results: dict[str, wrk.WrkResult | str]) -> str | None:
    subject, base, peer = (results.get(n) for n in (SUBJECT, BASELINE, "aiohttp"))
    if not (isinstance(subject, wrk.WrkResult) and isinstance(base, wrk.WrkResult) and isinstance(peer, wrk.WrkResult)):
        return None
    ratio = subject.requests_per_s / base.requests_per_s
    met = subject.requests_per_s >= peer.requests_per_s and ratio >= 0.6
    return (
        f"goal ({SUBJECT} >= aiohttp and >= 0.6 of {BASELINE}): {'met' if met else 'NOT met'} "
        f"({subject.requests_per_s:,.0f} vs {peer.requests_per_s:,.0f} req/s; ratio {ratio:.2f})"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    wrk.add_load_options(parser, "server", duration=10, warmup=2)
    parser.add_argument(
        "--only",
        default="",
        metavar="NAME[,NAME]",
        help="run only these servers: " + ", ".join(c.name for c in CONTENDERS),
    )
    args = parser.parse_args(argv)
    wrk.check_load_options(parser, args)
    names = {c.name for c in CONTENDERS}
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(args.only) - names
    if unknown:
        parser.error(f"unknown server(s): {', '.join(sorted(unknown))}; choose from {', '.join(sorted(names))}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = harness.load_average()
    if harness.begin("bench.hello") is None:
        return 2
    started = datetime.datetime.now().astimezone()
    contenders = [c for c in CONTENDERS if not args.only or c.name in args.only]
    results: dict[str, wrk.WrkResult | str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="brubeck-bench-") as tmp:
            for number, contender in enumerate(contenders, 1):
                say(f"[{number}/{len(contenders)}] starting {contender.name}…")
                try:
                    result = bench_one(contender, args, Path(tmp) / contender.name)
                except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
                    results[contender.name] = str(error)
                    say(f"  FAILED: {error}")
                else:
                    results[contender.name] = result
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
    say(f"load average: {load_before} before, {harness.load_average()} after (1, 5, 15 min)")
    say("")
    for line in table(results):
        say(line)
    say("")
    for name, outcome in results.items():
        if isinstance(outcome, wrk.WrkResult) and outcome.errors:
            details = ", ".join(f"{kind} {count}" for kind, count in outcome.errors.items())
            say(f"note: {name}: wrk counted errors ({details}) in {outcome.requests:,} requests")
        elif isinstance(outcome, str):
            say(f"note: {name} failed: {' / '.join(outcome.splitlines()) or 'unknown error'}")
    goal = goal_line(results)
    if goal:
        say(goal)
    return 1 if any(isinstance(r, str) for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
