"""The cost of a Brubeck service call: the same small job done inline, or by a service over ZeroMQ.

    .venv/bin/python -m bench.service [--duration 5] [--connections 50] [--rounds 3] [--work-kb 4]

One Mongrel2, one caller process (bench/servers/service_caller.py) and one service process
(bench/servers/echo_service.py).  The job is SHA-256 over a few KB.  wrk loads, in turns, the
caller's ``/inline`` (it does the job itself) and ``/service`` (it asks the service with
``send_service_request`` and waits); the median round of each is reported.  Then the caller is
stopped and a loop process makes synchronous calls one after the other, without HTTP.  A Markdown
table of requests/s, p50, p99, the ratio service/inline and the CPU time per request of the caller,
the service and Mongrel2 ends the run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import harness, report, wrk
from bench.client import problem
from bench.harness import say
from bench.servers.echo_service import work
from bench.servers.service_caller import TEXT, WARMUP_CALLS
from brubeck.testing import free_port

PATHS = ("/inline", "/service")
LOOP_GRACE = 30.0  # seconds the loop process may take beyond its duration (start-up, warm-up)


@dataclass(frozen=True)
class LoopResult:
    """Synchronous calls one at a time from one process, no HTTP."""

    calls_per_s: float
    p50_ms: float
    p99_ms: float
    cpu_us: dict[str, float]  # per call: the loop's process, the service


def load_paths(servers: harness.Servers, args: argparse.Namespace) -> dict[str, wrk.WrkResult]:
    """wrk on each path, in turns, round after round: the median round of each path."""
    clocks: dict[str, Callable[[], float]] = {handler.name: handler.cpu_seconds for handler in servers.handlers}
    if servers.mongrel2 is not None and servers.mongrel2.process is not None:
        clocks["mongrel2"] = partial(harness.cpu_seconds, servers.mongrel2.process.pid)
    if args.warmup > 0:
        say(f"  warming up each path for {args.warmup:g}s…")
        for path in PATHS:
            wrk.run(servers.url(path), args.warmup, args.connections, args.threads)
    rounds: dict[str, list[wrk.WrkResult]] = {path: [] for path in PATHS}
    for number in range(1, args.rounds + 1):
        for path in PATHS:
            say(
                f"  round {number}/{args.rounds}: {path} for {args.duration:g}s "
                f"(wrk -t{args.threads} -c{args.connections})…"
            )
            result = wrk.measured(servers.url(path), args.duration, args.connections, args.threads, (), clocks)
            rounds[path].append(result)
            say(f"    {result.requests_per_s:,.0f} requests/s, p99 {result.p99_ms:.2f} ms")
            servers.check_running()
    return {
        path: sorted(results, key=lambda r: r.requests_per_s)[len(results) // 2] for path, results in rounds.items()
    }


def run_loop(servers: harness.Servers, service: harness.Handler, addresses: list[str], seconds: float) -> LoopResult:
    """The synchronous-call loop against ``service`` (the caller stopped: the loop binds its addresses)."""
    service_before = service.cpu_seconds()
    loop = servers.start("loop", "bench.servers.service_caller", "loop", *addresses, f"{seconds:g}")
    say(f"  calling the service one call at a time for {seconds:g}s…")
    try:
        code = loop.process.wait(seconds + LOOP_GRACE)
    except subprocess.TimeoutExpired as error:
        raise RuntimeError(f"the loop overran:\n{harness.log_tail(loop.log)}") from error
    service.check_running()
    if code:
        raise RuntimeError(f"the loop exited with code {code}:\n{harness.log_tail(loop.log)}")
    found = json.loads(loop.log.read_text().strip().splitlines()[-1])
    service_calls = found["calls"] + WARMUP_CALLS  # the service cannot tell the warm-up's from the rest
    return LoopResult(
        calls_per_s=found["calls"] / found["seconds"],
        p50_ms=found["p50_ms"],
        p99_ms=found["p99_ms"],
        cpu_us={
            "loop": found["cpu_s"] / found["calls"] * 1e6,
            "service": (service.cpu_seconds() - service_before) / service_calls * 1e6,
        },
    )


def table(results: dict[str, wrk.WrkResult], loop: LoopResult | None) -> list[str]:
    inline = results["/inline"].requests_per_s
    labels = {"/inline": "`/inline`: the job in the caller", "/service": "`/service`: the job in the service"}
    rows = []
    for path, result in results.items():
        cpu = ", ".join(f"{result.cpu_us.get(name, 0):.0f}" for name in ("caller", "service", "mongrel2"))
        ratio = f"{result.requests_per_s / inline:.2f}" if inline else "n/a"
        rows.append([labels[path], f"{result.requests_per_s:,.0f}", report.p50(result), report.p99(result), ratio, cpu])
    if loop is not None:
        cpu = f"{loop.cpu_us['loop']:.0f}, {loop.cpu_us['service']:.0f}, –"
        row = [f"{loop.calls_per_s:,.0f}", report.ms(loop.p50_ms), report.ms(loop.p99_ms), "–", cpu]
        rows.append(["synchronous calls in a loop, no HTTP (one at a time)", *row])
    head = ["path", "requests/s", "p50", "p99", "ratio service/inline", "CPU µs/request: caller, service, Mongrel2"]
    return report.table(head, "lrrrrr", rows)


def measure(args: argparse.Namespace, workdir: Path) -> list[str]:
    """Start Mongrel2, the caller and the service, load both paths, run the loop: the report."""
    started = datetime.datetime.now().astimezone()
    expected = work(TEXT, args.work_kb)
    job_us = report.median_ms({"job": partial(work, TEXT, args.work_kb)}, 1000)["job"] * 1000
    with harness.serving(workdir) as servers:
        route = servers.start_mongrel2()[0]
        first = free_port(2)
        addresses = [f"tcp://127.0.0.1:{first}", f"tcp://127.0.0.1:{first + 1}"]
        kb = str(args.work_kb)
        caller = servers.start(
            "caller", "bench.servers.service_caller", "mongrel2", route.pull, route.pub, *addresses, kb, route=route
        )
        service = servers.start("service", "bench.servers.echo_service", *addresses, kb)
        servers.wait_until_serving(
            lambda: problem(servers.port, "/inline", body=expected) or problem(servers.port, "/service", body=expected)
        )
        results = load_paths(servers, args)
        loop = None
        if not args.no_loop:
            say("  stopping the caller…")
            caller.stop()
            loop = run_loop(servers, service, addresses, args.duration)
    lines = [
        "",
        *report.machine_lines(started),
        f"load: wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s --latency on 127.0.0.1, each path "
        f"after a {args.warmup:g}s warm-up, in turns, median of {args.rounds} rounds; the loop {args.duration:g}s",
        f"the job: SHA-256 of {args.work_kb} KB, {job_us:.1f} µs alone (median of 1,000 in the benchmark's process)",
        f"load average after the run: {harness.load_average()} (1, 5, 15 min)",
        "",
        *table(results, loop),
        "",
    ]
    for path, result in results.items():
        if result.errors:
            details = ", ".join(f"{kind} {count}" for kind, count in result.errors.items())
            lines.append(f"note: {path}: wrk counted errors ({details}) in {result.requests:,} requests")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    wrk.add_load_options(parser, "path", duration=5, warmup=1)
    parser.add_argument("--work-kb", type=int, default=4, help="KB hashed per request, 0 to 64 (default 4)")
    parser.add_argument("--no-loop", action="store_true", help="skip the loop of calls without HTTP")
    args = parser.parse_args(argv)
    wrk.check_load_options(parser, args)
    if not 0 <= args.work_kb <= 64:
        parser.error("--work-kb must be between 0 and 64")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return harness.run("bench.service", partial(measure, args))


if __name__ == "__main__":
    sys.exit(main())
