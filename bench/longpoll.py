"""Long-poll at scale: N chat clients waiting in SpotiChat behind the suite's Mongrel2, then one post.

    .venv/bin/python -m bench.longpoll [--waiters 1000,10000,50000] [--rooms 1000x50] [--peer-at 10000]
                                       [--workers 2] [--rate 1500]

For each case, fresh: a Redis, the suite's Mongrel2 (conf/mongrel2.conf and its settings, as ``make run``
loads it) and ONE SpotiChat process (CHAT_POLL_TIMEOUT=120, the held-poll bounds raised to the case's
size: the clients all sign in as one account); an account signs up; each room gets a first message.
The load generator (:mod:`bench.waiters`, several processes, many loopback source addresses) then opens
the waiters, each polling its room with the cursor of that message; once SpotiChat's log says every poll
is held, one message is posted (through Mongrel2, as the room page's script posts it; with many rooms,
one to each room straight into Redis, as a post does: the stream and the wake-up), and each client's
answer is timed from its room's post.  Printed: delivered, p50, p99 and max, the handler's and
Mongrel2's memory per waiter (their RSS after the waiters are held less before) and CPU time (to hold
them; to answer them), and the generator's own lag.  ``--peer-at`` sizes run the same against an aiohttp
long-poll server on the same Redis pub/sub (:mod:`bench.servers.aiohttp_longpoll`).

Goals (issue 27): 50,000 waiters all delivered, p99 under 1 s; under 1 KB of handler memory per waiter;
under 16 KB of Mongrel2 memory per connection; 1,000 rooms x 50 waiters, p99 under 1 s; at 10,000, twice
as fast as the aiohttp peer (its p99 over SpotiChat's).
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis

from bench import client, harness, report
from bench.harness import Handler, Servers, say
from bench.waiters import Report, Waiters, raise_fd_limit
from brubeck import testing
from brubeck.csrf import CSRF_FIELD
from conf import bringup
from conf.settings import deployment
from conf.sites import SITES
from shared.chat.messages import MessageLog
from shared.chat.names import Keys

HOST = "spotichat.localhost"
TEXT = "the bench message"
POLL_TIMEOUT = 120
PASSWORD = "bench-longpoll-password"
HELD_TIMEOUT_BASE = 60.0  # beyond the opening time, for the last polls to be held
COLLECT_TIMEOUT = 60.0
WARM_UP = 500  # polls held and answered before the measurement


@dataclass(frozen=True)
class Case:
    """``rooms`` rooms of ``per_room`` waiters, on SpotiChat or the peer."""

    rooms: int
    per_room: int
    server: str  # "spotichat" or "aiohttp"

    @property
    def waiters(self) -> int:
        return self.rooms * self.per_room

    @property
    def name(self) -> str:
        shape = f"{self.waiters:,}" if self.rooms == 1 else f"{self.rooms:,} rooms x {self.per_room}"
        return f"{shape} ({self.server})"


@dataclass
class Outcome:
    case: Case
    opened: int = 0
    delivered: int = 0
    latencies: list[float] = field(default_factory=list)  # seconds from the room's post to the answer
    rss_kb: dict[str, float] = field(default_factory=dict)  # growth per waiter, by process
    cpu_hold: dict[str, float] = field(default_factory=dict)  # seconds, by process
    cpu_answer: dict[str, float] = field(default_factory=dict)
    post_ms: float = 0.0  # the post's own round trip (one room), or the time to post to every room
    lag_ms: float = 0.0
    generator_cpu: float = 0.0
    notes: list[str] = field(default_factory=list)

    def percentile(self, share: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def room_name(case_number: int, room: int) -> str:
    """A track id (22 letters and digits) of its own for each room of each case."""
    return f"lp{case_number:03d}r{room:016d}"


def poll_request(room: str, cursor: str, cookie: str) -> bytes:
    return (
        f"GET /api/rooms/{room}/messages?cursor={cursor} HTTP/1.1\r\nHost: {HOST}\r\n"
        f"Cookie: {cookie}\r\nAccept: application/json\r\n\r\n"
    ).encode()


class Target:
    """The servers of one case: Redis, and SpotiChat behind the suite's Mongrel2 or the aiohttp peer."""

    def __init__(self, servers: Servers, case: Case, workdir: Path) -> None:
        self.servers, self.case, self.workdir = servers, case, workdir
        self.redis_port = testing.free_port()
        self.redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.cookie = ""
        self.csrf = ""
        self.app: Handler | None = None
        self.log_offset = 0
        self.held_seen = 0
        self.held_base = 0

    def start(self) -> None:
        self.servers.start_command(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        )
        testing.wait_for_port(self.redis_port)
        if self.case.server == "aiohttp":
            port = self.servers.take_port()
            self.app = self.servers.start("aiohttp", "bench.servers.aiohttp_longpoll", str(port), self.redis_url)
            self.servers.wait_until_serving(lambda: client.problem(port, "/held"))
            return
        self._start_spotichat()

    def _start_spotichat(self) -> None:
        port, base = testing.free_port(), testing.free_port(2 * len(SITES))
        env = {
            **harness.site_env(self.workdir / "data"),
            "SUITE_PORT": str(port),
            "HANDLER_PORT_BASE": str(base),
            "REDIS_URL": self.redis_url,
            "LOG_LEVEL": "INFO",  # a line per request: "held" says a poll is held
            "CHAT_POLL_TIMEOUT": str(POLL_TIMEOUT),
            "CHAT_HELD_PER_ACCOUNT": str(self.case.waiters),
            "CHAT_HELD_PER_ADDRESS": str(self.case.waiters),
            "CHAT_NEW_ROOMS_PER_HOUR": str(self.case.rooms + 10),
            "BRUBECK_BCRYPT_ROUNDS": "4",
            "MONGREL2_CHROOT": str(self.workdir),
        }
        config = bringup.mongrel2_config(deployment(env))
        (self.workdir / "run" / "logs").mkdir(parents=True, exist_ok=True)
        say(f"  starting the suite's mongrel2 on 127.0.0.1:{port}…")
        self.servers.port = port
        self.servers.mongrel2 = testing.Mongrel2Server(
            config, self.workdir, bringup.SERVER_UUID, port, bringup.MONGREL2_MALLOC
        )
        self.servers.mongrel2.start()
        send, recv = deployment(env).ports("spotichat")
        route = harness.Route(send, recv)
        self.app = self.servers.start("spotichat", "spotichat", route=route, env=env)
        headers = {"Host": HOST}
        self.servers.wait_until_serving(lambda: client.problem(port, "/login", headers))
        self._sign_up(port, headers)

    def _sign_up(self, port: int, headers: dict[str, str]) -> None:
        form = client.fetch(port, "/create", headers=headers)
        token = testing.CSRF_INPUT.search(form.body)
        if not token:
            raise RuntimeError(f"GET /create answered {form.status} without a CSRF field")
        fields = {"username": "bench", "password": PASSWORD, CSRF_FIELD: token.group(1)}
        reply = client.fetch(
            port, "/create", "POST", {**headers, "Cookie": client.cookie_header(form.cookies)}, form=fields
        )
        if reply.status != 302 or "session" not in reply.cookies:
            raise RuntimeError(f"signing up answered {reply.status}: {reply.body[:200]}")
        self.cookie = client.cookie_header({**form.cookies, **reply.cookies})
        page = client.fetch(port, f"/rooms/{room_name(0, 0)}", headers={**headers, "Cookie": self.cookie})
        found = testing.CSRF_INPUT.search(page.body)
        if not found:
            raise RuntimeError(f"the room page answered {page.status} without a CSRF field")
        self.csrf = found.group(1)

    def held(self) -> int:
        """How many polls wait now (SpotiChat: its log's "held" lines since the last look; the peer: /held)."""
        if self.case.server == "aiohttp":
            return int(client.fetch(self.servers.port, "/held").body)
        assert self.app is not None
        with self.app.log.open("rb") as log:
            log.seek(self.log_offset)
            chunk = log.read()
        complete = chunk[: chunk.rfind(b"\n") + 1]
        self.log_offset += len(complete)
        self.held_seen += complete.count(b" held ")
        refused = [line for line in complete.splitlines() if b"/messages " in line and b" 200 " not in line]
        refused = [line for line in refused if b" held " not in line]
        if refused:
            raise RuntimeError(f"SpotiChat refused polls: {refused[0].decode(errors='replace')}")
        return self.held_seen - self.held_base

    def forget_held(self) -> None:
        """Count the polls held from now on."""
        self.held()
        self.held_base = self.held_seen

    def post(self, room: str) -> None:
        headers = {"Host": HOST, "Cookie": self.cookie, "X-CSRF-Token": self.csrf, "Content-Type": "application/json"}
        reply = client.fetch(
            self.servers.port, f"/api/rooms/{room}/messages", "POST", headers, json.dumps({"text": TEXT})
        )
        if reply.status != 201:
            raise RuntimeError(f"the post answered {reply.status}: {reply.body[:200]}")

    def clocks(self) -> dict[str, int]:
        """The measured processes' pids by name."""
        assert self.app is not None
        pids = {"handler": self.app.process.pid}
        mongrel2 = self.servers.mongrel2
        if mongrel2 is not None and mongrel2.process is not None:
            pids["mongrel2"] = mongrel2.process.pid
        return pids


def measure(case: Case, number: int, args: argparse.Namespace, workdir: Path) -> Outcome:
    outcome = Outcome(case)
    with harness.serving(workdir) as servers:
        target = Target(servers, case, workdir)
        target.start()
        store = redis.Redis.from_url(target.redis_url, decode_responses=True)
        log = MessageLog(store, Keys("spotichat"), rate_limit=0, new_rooms=0)
        rooms = [room_name(number, room) for room in range(case.rooms)]
        cursors = [log.post(room, "seed", "the room's first message").id for room in rooms]
        requests = [
            (index, poll_request(room, cursor, target.cookie))
            for index, (room, cursor) in enumerate(zip(rooms, cursors, strict=True))
            for _ in range(case.per_room)
        ]
        warm_up(target, log, number, args)
        pids = target.clocks()
        rss_before = {name: rss_kb(pid) for name, pid in pids.items()}
        cpu_before = {name: harness.cpu_seconds(pid) for name, pid in pids.items()}
        workers = max(args.workers, -(-case.waiters // args.most))  # each under the open-file limit
        generator = Waiters(servers.port, requests, workers, args.rate, TEXT.encode())
        try:
            say(f"  opening {case.waiters:,} waiters ({workers} processes, {args.rate:,.0f} a second)…")
            outcome.opened = generator.open(case.waiters / args.rate + HELD_TIMEOUT_BASE)
            wait_until_held(target, outcome.opened, case.waiters / args.rate + HELD_TIMEOUT_BASE)
            time.sleep(1.0)  # the last greenlets finish; the memory settles
            servers.check_running()
            outcome.rss_kb = {name: (rss_kb(pid) - rss_before[name]) / case.waiters for name, pid in pids.items()}
            cpu_held = {name: harness.cpu_seconds(pid) for name, pid in pids.items()}
            outcome.cpu_hold = {name: cpu_held[name] - cpu_before[name] for name in pids}
            posted = post(target, log, rooms, outcome)
            reports = generator.collect(COLLECT_TIMEOUT)
            outcome.cpu_answer = {name: harness.cpu_seconds(pid) - cpu_held[name] for name, pid in pids.items()}
        finally:
            generator.stop()
            store.close()
        tally(outcome, reports, posted)
    return outcome


def warm_up(target: Target, log: MessageLog, number: int, args: argparse.Namespace) -> None:
    """Hold and answer :data:`WARM_UP` polls in a room of their own, so that what the first polls start once
    (the Redis subscription and connections, the threads of the database calls) is not counted per waiter."""
    room = room_name(number, 999_999)
    cursor = log.post(room, "seed", "the warm-up room's first message").id
    generator = Waiters(target.servers.port, [(0, poll_request(room, cursor, target.cookie))] * WARM_UP, 1, 1000, b"")
    try:
        generator.open(30)
        wait_until_held(target, WARM_UP, 30)
        log.post(room, "bench", "the warm-up's message")
        generator.collect(30)
    finally:
        generator.stop()
    target.forget_held()
    time.sleep(1.0)  # the disconnect notices are handled


def wait_until_held(target: Target, count: int, timeout: float) -> None:
    deadline, told = time.monotonic() + timeout, time.monotonic()
    while (held := target.held()) < count:
        target.servers.check_running()
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {held:,} of {count:,} polls held after {timeout:.0f}s")
        if time.monotonic() - told > 5:
            say(f"    {held:,} of {count:,} held…")
            told = time.monotonic()
        time.sleep(0.2)


def post(target: Target, log: MessageLog, rooms: list[str], outcome: Outcome) -> list[float]:
    """The message (one room: through the site; many: one each, straight into Redis); when each room's went."""
    if len(rooms) == 1 and target.case.server == "spotichat":
        sent = time.time()
        target.post(rooms[0])
        outcome.post_ms = (time.time() - sent) * 1000
        return [sent]
    posted = []
    started = time.time()
    for room in rooms:
        posted.append(time.time())
        log.post(room, "bench", TEXT)
    outcome.post_ms = (time.time() - started) * 1000
    return posted


def tally(outcome: Outcome, reports: list[Report], posted: list[float]) -> None:
    for got in reports:
        outcome.delivered += got.matched
        outcome.latencies += [arrived - posted[group] for group, arrived in got.arrivals]
        outcome.lag_ms = max(outcome.lag_ms, got.lag_max * 1000)
        outcome.generator_cpu += got.cpu
        failed = got.failed + sum(count for status, count in got.statuses.items() if status != 200)
        if failed:
            outcome.notes.append(f"{failed} connections failed or answered other than 200 ({got.statuses})")


def ms(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds * 1000:,.0f} ms"


def table(outcomes: list[Outcome]) -> list[str]:
    rows = []
    for got in outcomes:
        cpu = ", ".join(
            f"{got.cpu_hold.get(p, 0):.1f} / {got.cpu_answer.get(p, 0):.2f}"
            for p in ("handler", "mongrel2")
            if p in got.cpu_hold
        )
        rows.append(
            [
                got.case.name,
                f"{got.delivered:,} of {got.case.waiters:,}",
                ms(min(got.latencies) if got.latencies else None),
                ms(got.percentile(0.5)),
                ms(got.percentile(0.99)),
                ms(max(got.latencies) if got.latencies else None),
                f"{got.rss_kb.get('handler', 0):.2f} KB",
                f"{got.rss_kb['mongrel2']:.1f} KB" if "mongrel2" in got.rss_kb else "–",
                cpu,
                f"{got.post_ms:,.0f} ms",
                f"{got.lag_ms:,.0f} ms, {got.generator_cpu:.2f} s",
            ]
        )
    head = [
        "case",
        "delivered",
        "first",
        "p50",
        "p99",
        "max",
        "handler memory per waiter",
        "Mongrel2 memory per connection",
        "CPU s to hold / to answer: handler, Mongrel2",
        "post",
        "generator: lag (max), CPU to read",
    ]
    return report.table(head, "lrrrrrrrrrr", rows)


def goals(outcomes: list[Outcome]) -> list[str]:
    found = {(o.case.rooms, o.case.per_room, o.case.server): o for o in outcomes}
    lines = []
    big = found.get((1, 50_000, "spotichat"))
    if big:
        p99 = big.percentile(0.99)
        ok = big.delivered == 50_000 and p99 is not None and p99 < 1
        lines.append(f"50,000 waiters all delivered, p99 < 1 s: {'met' if ok else 'NOT met'} ({ms(p99)})")
    for got in outcomes:
        if got.case.server == "spotichat" and "mongrel2" in got.rss_kb:
            handler, mongrel2 = got.rss_kb["handler"] < 1, got.rss_kb["mongrel2"] < 16
            lines.append(
                f"{got.case.name}: handler memory < 1 KB a waiter: {'met' if handler else 'NOT met'}; "
                f"Mongrel2 memory < 16 KB a connection: {'met' if mongrel2 else 'NOT met'}"
            )
    rooms = found.get((1000, 50, "spotichat"))
    if rooms:
        p99 = rooms.percentile(0.99)
        ok = rooms.delivered == 50_000 and p99 is not None and p99 < 1
        lines.append(f"1,000 rooms x 50, all delivered, p99 < 1 s: {'met' if ok else 'NOT met'} ({ms(p99)})")
    ours, peer = found.get((1, 10_000, "spotichat")), found.get((1, 10_000, "aiohttp"))
    if ours and peer:
        a, b = ours.percentile(0.99), peer.percentile(0.99)
        if a and b:
            ok = b / a >= 2 and ours.delivered == 10_000
            lines.append(f"10,000: twice as fast as aiohttp (p99): {'met' if ok else 'NOT met'} ({b / a:.2f}x)")
    return lines


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waiters", default="1000,10000,50000", help="sizes of one room (comma-separated)")
    parser.add_argument("--rooms", default="1000x50", help="ROOMSxWAITERS cases (comma-separated; '' for none)")
    parser.add_argument("--peer-at", default="1000,10000", help="sizes of one room also run on the aiohttp peer")
    parser.add_argument("--workers", type=int, default=2, help="load generator processes")
    parser.add_argument("--rate", type=float, default=1500, help="connections opened a second (in all)")
    parser.add_argument("--keep", action="store_true", help="keep the servers' logs (their folder is printed)")
    args = parser.parse_args(argv)
    try:
        sizes = [int(n) for n in args.waiters.split(",") if n]
        shapes = [tuple(int(n) for n in shape.split("x")) for shape in args.rooms.split(",") if shape]
        peer = [int(n) for n in args.peer_at.split(",") if n]
    except ValueError:
        parser.error("sizes are whole numbers: --waiters 1000,10000 --rooms 1000x50 --peer-at 10000")
    if not 1 <= args.workers <= 16 or not 10 <= args.rate <= 100_000 or any(not 1 <= n <= 200_000 for n in sizes):
        parser.error("--workers 1 to 16, --rate 10 to 100,000, sizes 1 to 200,000")
    args.cases = [Case(1, n, "spotichat") for n in sizes]
    args.cases += [Case(1, n, "aiohttp") for n in peer]
    args.cases += [Case(rooms, per_room, "spotichat") for rooms, per_room in shapes]
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_before = harness.load_average()
    if harness.begin("bench.longpoll") is None:
        return 2
    largest = max(case.waiters for case in args.cases)
    args.most, said = raise_fd_limit(largest)
    most = args.most  # Mongrel2's connections (it asks for its own too), a worker's fewer
    say(said)
    started = datetime.datetime.now().astimezone()
    outcomes: list[Outcome] = []
    skipped: list[str] = []
    failed = False
    root = Path(tempfile.mkdtemp(prefix="brubeck-bench-longpoll-"))
    try:
        for number, case in enumerate(args.cases, 1):
            say(f"[{number}/{len(args.cases)}] {case.name}…")
            if case.waiters > most:
                say(f"  SKIPPED: one server process may hold at most {most:,} connections on this machine")
                skipped.append(case.name)
                continue
            try:
                got = measure(case, number, args, root / f"case-{number}")
            except (RuntimeError, ValueError, OSError) as error:
                say(f"  FAILED: {error}")
                failed = True
                continue
            outcomes.append(got)
            say(f"  delivered {got.delivered:,} of {case.waiters:,}; p99 {ms(got.percentile(0.99))}")
    except KeyboardInterrupt:
        print("\ninterrupted; every server was stopped", file=sys.stderr)
        return 130
    finally:
        if args.keep:
            say(f"work folder kept: {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    say("")
    for line in report.machine_lines(started):
        say(line)
    say(f"load average: {load_before} before, {harness.load_average()} after (1, 5, 15 min)")
    say(
        f"load generator: {args.workers} processes, {args.rate:,.0f} connections a second; "
        f"polls held up to {POLL_TIMEOUT} s"
    )
    say("")
    for line in table(outcomes):
        say(line)
    say("")
    for got in outcomes:
        for note in got.notes:
            say(f"note: {got.case.name}: {note}")
    for line in goals(outcomes):
        say(line)
    if skipped:
        say(f"not run (open-file limit): {', '.join(skipped)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
