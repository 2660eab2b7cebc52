"""Hello world and a JSON hello, eleven servers, loaded with wrk one after the other.

    .venv/bin/python -m bench.hello [--duration 10] [--connections 50] [--rounds 3] [--runs 1] [--only NAMES]
    .venv/bin/python bench/hello.py ...   (the same, run as a file)

Hello world (``/``):
1. brubeck-mongrel2:       Brubeck (Mongrel2Connection, gevent) behind Mongrel2
2. pyzmq-mongrel2:         a bare blocking pyzmq loop behind Mongrel2 answering byte for byte what (1)
                           answers: the ceiling
3. pyzmq-mongrel2-minimal: the same loop answering the fewest headers
4. pyzmq-mongrel2-busy:    the loop of (2) spinning about as long as (1) works per request beyond (2):
                           what Mongrel2 and the machine give any handler of Brubeck's cost
5. aiohttp
6. tornado
7. brubeck-wsgi:           Brubeck under WSGIConnection (gevent's pywsgi)
8. gevent-wsgi:            gevent's WSGIServer answering a bare WSGI hello world with (1)'s headers

A small JSON object (``/json``):
9. brubeck-mongrel2-json:  a JSONMessageHandler behind Mongrel2
10. pyzmq-mongrel2-json:   the bare loop answering byte for byte what (9) answers
11. aiohttp-json:          aiohttp's json_response

Each server runs in its own process on free loopback ports, is checked (its answer read once, whole),
warmed up, loaded with the same wrk settings, then stopped.  The Markdown table gives requests/s, the
99th-percentile latency, the ratio to the bare loop giving the same answer and the CPU time per
request of the server process (and of Mongrel2), which varies less from round to round than
requests/s on a busy machine, and the share of the machine's CPU time the hypervisor gave to other
guests meanwhile (``steal`` in /proc/stat: on a shared virtual machine, one thing that makes whole
rounds slow).  Goal lines follow, a goal not judged when more than :data:`FAIR_STEAL` of the CPU time
was stolen in a round it compares; ``--runs`` repeats the whole and ends with how steady the ratio was
from run to run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the bench package, when run as a file

from bench import harness, report, wrk
from bench.client import problem
from bench.harness import say
from bench.servers.pyzmq_loop import BUSY_US

HELLO, JSON_HELLO = "Hello world", '{"message":"Hello world"}'
RATIO_GOAL, PEER_GOAL, STEADY, MONGREL2_CPU_GOAL = 0.85, 1.3, 0.10, 0.10
FAIR_STEAL = 0.05  # a comparison whose median rounds lost more CPU time than this to other guests is not judged


@dataclass(frozen=True)
class Contender:
    name: str
    module: str  # run as ``python -m MODULE *args ADDRESSES``
    args: tuple[str, ...] = ()
    behind_mongrel2: bool = False
    path: str = "/"
    ceiling: str = "pyzmq-mongrel2"  # the bare loop giving the same answer: the ratio's denominator

    @property
    def body(self) -> str:
        return JSON_HELLO if self.path == "/json" else HELLO


CONTENDERS = (
    Contender("brubeck-mongrel2", "bench.servers.brubeck_hello", ("mongrel2",), behind_mongrel2=True),
    Contender("pyzmq-mongrel2", "bench.servers.pyzmq_loop", ("hello",), behind_mongrel2=True),
    Contender("pyzmq-mongrel2-minimal", "bench.servers.pyzmq_loop", ("minimal",), behind_mongrel2=True),
    Contender("pyzmq-mongrel2-busy", "bench.servers.pyzmq_loop", ("hello-busy",), behind_mongrel2=True),
    Contender("aiohttp", "bench.servers.aiohttp_hello"),
    Contender("tornado", "bench.servers.tornado_hello"),
    Contender("brubeck-wsgi", "bench.servers.brubeck_hello", ("wsgi",)),
    Contender("gevent-wsgi", "bench.servers.gevent_wsgi_hello"),
    Contender(
        "brubeck-mongrel2-json",
        "bench.servers.brubeck_hello",
        ("mongrel2",),
        behind_mongrel2=True,
        path="/json",
        ceiling="pyzmq-mongrel2-json",
    ),
    Contender(
        "pyzmq-mongrel2-json",
        "bench.servers.pyzmq_loop",
        ("json",),
        behind_mongrel2=True,
        path="/json",
        ceiling="pyzmq-mongrel2-json",
    ),
    Contender("aiohttp-json", "bench.servers.aiohttp_hello", path="/json", ceiling="pyzmq-mongrel2-json"),
)
BY_NAME = {c.name: c for c in CONTENDERS}
# (subject, its bare loop, its peer): the framework's goals, hello world and JSON.
GOALS = (
    ("brubeck-mongrel2", "pyzmq-mongrel2", "aiohttp"),
    ("brubeck-mongrel2-json", "pyzmq-mongrel2-json", "aiohttp-json"),
)


@dataclass
class Outcome:
    """A server's rounds (its median stands for it) and its answer, read once before the load."""

    rounds: list[wrk.WrkResult]
    answer: bytes

    @property
    def median(self) -> wrk.WrkResult:
        return sorted(self.rounds, key=lambda r: r.requests_per_s)[len(self.rounds) // 2]

    def spread(self) -> float:
        """How far the round furthest from the median is from it, as a fraction of the median."""
        middle = self.median.requests_per_s
        return max(abs(r.requests_per_s - middle) for r in self.rounds) / middle


def raw_answer(port: int, path: str) -> bytes:
    """The whole response to one keep-alive ``GET path``, as sent: status line, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode("ascii"))
        data = b""
        while b"\r\n\r\n" not in data:
            data += _received(sock)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            body += _received(sock)
        return head + b"\r\n\r\n" + body


def _received(sock: socket.socket) -> bytes:
    chunk = sock.recv(65536)
    if not chunk:
        raise OSError("the server closed the connection before its answer was whole")
    return chunk


def bench_one(contender: Contender, args: argparse.Namespace, workdir: Path) -> Outcome:
    """Start one server, read its answer, warm it up, load it, stop it (and its Mongrel2)."""
    with harness.serving(workdir) as servers:
        route = servers.start_mongrel2()[0] if contender.behind_mongrel2 else None
        addresses = [route.pull, route.pub] if route else [str(servers.take_port())]
        servers.start(contender.name, contender.module, *contender.args, *addresses, route=route)
        servers.wait_until_serving(lambda: problem(servers.port, contender.path, body=contender.body))
        answer = raw_answer(servers.port, contender.path)
        clocks: dict[str, Callable[[], float]] = {"server": servers.cpu_seconds, "stolen": harness.stolen_seconds}
        if servers.mongrel2 is not None and servers.mongrel2.process is not None:
            clocks["mongrel2"] = partial(harness.cpu_seconds, servers.mongrel2.process.pid)
        url = servers.url(contender.path)
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
            say(f"    {rounds[-1].requests_per_s:,.0f} requests/s ({stolen(rounds[-1]):.0%} of the CPU time stolen)")
            servers.check_running()
        return Outcome(rounds, answer)


def stolen(result: wrk.WrkResult) -> float:
    """The share of the machine's CPU time the hypervisor gave to other guests during a round."""
    return result.requests_per_s * result.cpu_us.get("stolen", 0.0) / 1e6 / (report.cores() or 1)


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


Results = dict[str, Outcome | str]


def _rps(results: Results, name: str) -> float | None:
    outcome = results.get(name)
    return outcome.median.requests_per_s if isinstance(outcome, Outcome) else None


def table(results: Results) -> list[str]:
    rows = []
    for name, outcome in results.items():
        if isinstance(outcome, Outcome):
            result, ceiling = outcome.median, _rps(results, BY_NAME[name].ceiling)
            ratio = f"{result.requests_per_s / ceiling:.2f}" if ceiling else "n/a"
            cpu = ", ".join(f"{result.cpu_us[p]:.0f}" for p in ("server", "mongrel2") if p in result.cpu_us)
            rows.append(
                [
                    name,
                    str(len(outcome.answer)),
                    f"{result.requests_per_s:,.0f}",
                    f"{result.p99_ms:.2f} ms",
                    ratio,
                    cpu or "n/a",
                    f"{stolen(result):.0%}",
                ]
            )
        else:
            rows.append([name, "n/a", "failed", "failed", "n/a", "n/a", "n/a"])
    head = [
        "server",
        "answer bytes",
        "requests/s",
        "p99 latency",
        "ratio to the bare loop (same answer)",
        "CPU µs/request: server, Mongrel2",
        "CPU time stolen",
    ]
    return report.table(head, "lrrrrrr", rows)


def _verdict(ok: bool, robbed: list[str]) -> str:
    """``met`` or ``NOT met``; ``not judged`` when the hypervisor took much of the CPU time in a round that
    counts (that server was slowed, not the others)."""
    if robbed:
        return f"not judged: the hypervisor took {' and '.join(robbed)}"
    return "met" if ok else "NOT met"


def _robbed(results: Results, names: tuple[str, ...], every_round: bool = False) -> list[str]:
    """Where the hypervisor took more than :data:`FAIR_STEAL`: the median rounds of ``names`` (or all their
    rounds)."""
    robbed = []
    for name in names:
        outcome = results.get(name)
        if isinstance(outcome, Outcome):
            rounds = outcome.rounds if every_round else [outcome.median]
            worst = max(stolen(r) for r in rounds)
            if worst > FAIR_STEAL:
                robbed.append(f"{worst:.0%} of the CPU time during {name}")
    return robbed


def goal_lines(results: Results) -> list[str]:
    """The goals whose servers all ran, each met or not, and whether each bare loop still answers its
    subject's bytes."""
    lines = []
    for subject, ceiling, peer in GOALS:
        outcomes = [results.get(name) for name in (subject, ceiling)]
        if all(isinstance(o, Outcome) for o in outcomes):
            mine, bare = (o.answer for o in outcomes if isinstance(o, Outcome))
            same = (
                "the same" if mine == bare else "DIFFERENT (the ratio is not fair: update bench/servers/pyzmq_loop.py)"
            )
            lines.append(f"check: {subject} and {ceiling} answer {same} bytes ({len(mine)} and {len(bare)})")
        rps = [_rps(results, name) for name in (subject, ceiling, peer)]
        if all(rps):
            ours, bare_rps, peer_rps = (float(r or 0) for r in rps)
            ratio, times = ours / bare_rps, ours / peer_rps
            lines.append(
                f"goal ({subject} >= {RATIO_GOAL} of {ceiling} and >= {PEER_GOAL}x {peer}): "
                f"{_verdict(ratio >= RATIO_GOAL and times >= PEER_GOAL, _robbed(results, (subject, ceiling, peer)))} "
                f"({ours:,.0f} req/s; {ratio:.2f} of the bare loop; {times:.2f}x {peer})"
            )
    mongrel2_us = {
        name: o.median.cpu_us["mongrel2"]
        for name, o in results.items()
        if isinstance(o, Outcome) and "mongrel2" in o.median.cpu_us
    }
    names = ("brubeck-mongrel2", "pyzmq-mongrel2")
    if all(name in mongrel2_us for name in names):
        ours_us, bare_us = (mongrel2_us[name] for name in names)
        lines.append(
            f"goal (Mongrel2's CPU per request behind brubeck-mongrel2 within {MONGREL2_CPU_GOAL:.0%} of behind "
            f"pyzmq-mongrel2): {_verdict(ours_us <= bare_us * (1 + MONGREL2_CPU_GOAL), _robbed(results, names))} "
            f"({ours_us:.1f} vs {bare_us:.1f} µs)"
        )
        busy, loop = results.get("pyzmq-mongrel2-busy"), results.get("pyzmq-mongrel2")
        if isinstance(busy, Outcome) and isinstance(loop, Outcome):
            spent, ratio = busy.median.cpu_us, busy.median.requests_per_s / loop.median.requests_per_s
            lines.append(
                f"context: pyzmq-mongrel2-busy (the bare loop spinning {BUSY_US} µs more per request) cost "
                f"{spent['server']:.1f} µs per request, Mongrel2 {spent['mongrel2']:.1f} µs behind it, "
                f"and reached {ratio:.2f} of the bare loop"
            )
    wsgi, gevent_wsgi = _rps(results, "brubeck-wsgi"), _rps(results, "gevent-wsgi")
    if wsgi and gevent_wsgi:
        lines.append(
            f"goal (brubeck-wsgi >= gevent-wsgi): "
            f"{_verdict(wsgi >= gevent_wsgi, _robbed(results, ('brubeck-wsgi', 'gevent-wsgi')))} "
            f"({wsgi:,.0f} vs {gevent_wsgi:,.0f} req/s)"
        )
    steady = results.get("brubeck-mongrel2")
    if isinstance(steady, Outcome) and len(steady.rounds) > 1:
        lines.append(
            f"goal (every round of brubeck-mongrel2 within {STEADY:.0%} of its median): "
            f"{_verdict(steady.spread() <= STEADY, _robbed(results, ('brubeck-mongrel2',), every_round=True))} "
            f"(furthest {steady.spread():.0%} away; "
            f"{', '.join(f'{r.requests_per_s:,.0f}' for r in steady.rounds)} req/s)"
        )
    return lines


def steadiness_lines(runs: list[Results]) -> list[str]:
    """Over several runs: each run's ratio of brubeck-mongrel2 to the bare loop, and whether every round of
    every run kept within the steadiness bound."""
    ratios = []
    for results in runs:
        ours, bare = _rps(results, "brubeck-mongrel2"), _rps(results, "pyzmq-mongrel2")
        if ours and bare:
            ratios.append(ours / bare)
    spreads = [o.spread() for r in runs if isinstance(o := r.get("brubeck-mongrel2"), Outcome)]
    robbed = [
        f"{taken} in run {number}"
        for number, results in enumerate(runs, 1)
        for taken in _robbed(results, ("brubeck-mongrel2",), every_round=True) + _robbed(results, ("pyzmq-mongrel2",))
    ]
    lines = [f"runs: {len(runs)}; brubeck-mongrel2's ratio to pyzmq-mongrel2 run by run: "]
    lines[0] += ", ".join(f"{r:.2f}" for r in ratios) or "n/a"
    if ratios:
        lines.append(
            f"goal (steady over {len(runs)} runs: every run >= {RATIO_GOAL} and every round within {STEADY:.0%} of "
            f"its run's median): {_verdict(min(ratios) >= RATIO_GOAL and max(spreads) <= STEADY, robbed)} "
            f"(lowest ratio {min(ratios):.2f}; furthest round {max(spreads):.0%} from its median)"
        )
    return lines


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
    parser.add_argument("--runs", type=int, default=1, help="repeat the whole run this many times (default 1)")
    args = parser.parse_args(argv)
    wrk.check_load_options(parser, args)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    args.only = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = set(args.only) - set(BY_NAME)
    if unknown:
        parser.error(f"unknown server(s): {', '.join(sorted(unknown))}; choose from {', '.join(BY_NAME)}")
    return args


def one_run(args: argparse.Namespace, folder: Path) -> Results:
    contenders = [c for c in CONTENDERS if not args.only or c.name in args.only]
    results: Results = {}
    for number, contender in enumerate(contenders, 1):
        say(f"[{number}/{len(contenders)}] starting {contender.name}…")
        try:
            outcome = bench_one(contender, args, folder / contender.name)
        except (RuntimeError, ValueError, OSError, subprocess.SubprocessError) as error:
            results[contender.name] = str(error)
            say(f"  FAILED: {error}")
        else:
            results[contender.name] = outcome
            say(f"  {outcome.median.requests_per_s:,.0f} requests/s, p99 {outcome.median.p99_ms:.2f} ms")
    return results


def report_lines(results: Results) -> list[str]:
    lines = ["", *table(results), ""]
    for name, outcome in results.items():
        if isinstance(outcome, Outcome) and outcome.median.errors:
            details = ", ".join(f"{kind} {count}" for kind, count in outcome.median.errors.items())
            lines.append(f"note: {name}: wrk counted errors ({details}) in {outcome.median.requests:,} requests")
        elif isinstance(outcome, str):
            lines.append(f"note: {name} failed: {' / '.join(outcome.splitlines()) or 'unknown error'}")
    return lines + goal_lines(results)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = harness.load_average()
    if harness.begin("bench.hello") is None:
        return 2
    started = datetime.datetime.now().astimezone()
    runs: list[Results] = []
    try:
        with tempfile.TemporaryDirectory(prefix="brubeck-bench-") as tmp:
            for number in range(1, args.runs + 1):
                if args.runs > 1:
                    say(f"run {number}/{args.runs}")
                runs.append(one_run(args, Path(tmp) / f"run-{number}"))
                if args.runs > 1:
                    for line in report_lines(runs[-1]):
                        say(line)
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
    for line in report_lines(runs[-1]) if args.runs == 1 else steadiness_lines(runs):
        say(line)
    failed = any(isinstance(outcome, str) for results in runs for outcome in results.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
