"""The long-poll benchmark's load generator: many HTTP clients that each send one request and wait for its answer.

The clients live in worker processes (one asyncio loop each), so that one Python process is not the
bottleneck when thousands of answers arrive at once.  Each client connects from one of several loopback
source addresses (127.0.0.2, .3, …: each has its own ~28,000 ephemeral ports), sends its request and
records the wall-clock time its whole answer arrived.  Every worker also measures its own lag: how late a
timer set every :data:`TICK` seconds fires while the answers arrive (a late timer means answers waited in
the kernel for the generator, not for the server).  Bounded: at most ``count`` connections, opened at
most ``rate`` a second, and every wait has a deadline; the workers stop by themselves.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import resource
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

TICK = 0.005
PER_SOURCE = 20_000  # connections per loopback source address (of ~28,000 ephemeral ports)
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # the port is picked at connect
FD_MARGIN = 1_000


def source_addresses(count: int) -> list[str]:
    """Loopback source addresses enough for ``count`` connections (127.0.0.2 on: 127.0.0.1 is the servers')."""
    return [f"127.0.0.{2 + number}" for number in range(max(1, -(-count // PER_SOURCE)))]


def raise_fd_limit(needed: int) -> str:
    """Raise this process's open-file limit (inherited by what it starts) to ``needed`` plus a margin;
    what was done, in words.  Raising the hard limit takes root (CAP_SYS_RESOURCE)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + FD_MARGIN
    if soft >= want:
        return f"open-file limit {soft} (enough for {needed})"
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, PermissionError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return f"open-file limit raised from {soft} to only {hard} (the hard limit; root can go further)"
    return f"open-file limit raised from {soft} to {want} for {needed} connections"


@dataclass
class Report:
    """What one worker saw: when each answer arrived (``time.time()``), its status, and the worker's lag."""

    opened: int = 0
    failed: int = 0  # connections refused or reset before their answer
    arrivals: list[tuple[int, float]] = field(default_factory=list)  # (the request's group, when its answer came)
    matched: int = 0  # answers that carried the expected text
    statuses: dict[int, int] = field(default_factory=dict)
    lag_max: float = 0.0
    lag_p99: float = 0.0


def content_length(head: bytes) -> int:
    """The Content-Length of a response's head (0 without one)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


class _Client(asyncio.Protocol):
    """One connection: send the request, read one answer (headers and a Content-Length body)."""

    def __init__(self, group: int, request: bytes, worker: _Worker) -> None:
        self.group, self.request, self.worker = group, request, worker
        self.buffer = b""
        self.done = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        head_end = self.buffer.find(b"\r\n\r\n")
        if head_end < 0:
            return
        if len(self.buffer) - head_end - 4 < content_length(self.buffer[:head_end]):
            return
        self.done = True
        self.worker.answered(self, int(self.buffer[9:12]))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done:
            self.done = True
            self.worker.lost()


class _Worker:
    """One process's clients."""

    def __init__(self, port: int, sources: Sequence[str], expect: bytes) -> None:
        self.port, self.sources, self.expect = port, sources, expect
        self.report = Report()
        self.clients: list[_Client] = []
        self.pending = 0
        self.all_in = asyncio.Event()
        self.lags: list[float] = []

    def answered(self, client: _Client, status: int) -> None:
        report = self.report
        report.arrivals.append((client.group, time.time()))
        report.statuses[status] = report.statuses.get(status, 0) + 1
        if self.expect in client.buffer:
            report.matched += 1
        client.buffer = b""
        self._one_less()

    def lost(self) -> None:
        self.report.failed += 1
        self._one_less()

    def _one_less(self) -> None:
        self.pending -= 1
        if self.pending <= 0:
            self.all_in.set()

    async def open(self, requests: Sequence[tuple[int, bytes]], rate: float) -> None:
        loop = asyncio.get_running_loop()
        started = time.monotonic()
        batch = max(1, int(rate * 0.01))
        for first in range(0, len(requests), batch):
            await asyncio.gather(
                *(self._connect(loop, first + i, r) for i, r in enumerate(requests[first : first + batch]))
            )
            ahead = started + (first + batch) / rate - time.monotonic()
            if ahead > 0:
                await asyncio.sleep(ahead)
        self.pending = self.report.opened
        if self.pending <= 0:
            self.all_in.set()

    async def _connect(self, loop: asyncio.AbstractEventLoop, number: int, request: tuple[int, bytes]) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((self.sources[number % len(self.sources)], 0))
            sock.setblocking(False)
            await loop.sock_connect(sock, ("127.0.0.1", self.port))
            client = _Client(*request, self)
            await loop.create_connection(lambda: client, sock=sock)
        except OSError:
            sock.close()
            self.report.failed += 1
            return
        self.clients.append(client)
        self.report.opened += 1

    async def collect(self, timeout: float) -> None:
        """Wait for every answer (or ``timeout``), timing the loop meanwhile."""
        ticking = asyncio.ensure_future(self._tick())
        try:
            await asyncio.wait_for(self.all_in.wait(), timeout)
        except TimeoutError:
            pass
        ticking.cancel()
        lags = sorted(self.lags)
        if lags:
            self.report.lag_max = lags[-1]
            self.report.lag_p99 = lags[min(len(lags) - 1, int(len(lags) * 0.99))]

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            planned = loop.time() + TICK
            await asyncio.sleep(TICK)
            self.lags.append(max(0.0, loop.time() - planned))

    def close(self) -> None:
        for client in self.clients:
            if client.transport is not None:
                client.transport.abort()


def _work(
    pipe: Connection,
    port: int,
    requests: Sequence[tuple[int, bytes]],
    sources: Sequence[str],
    rate: float,
    expect: bytes,
) -> None:
    """A worker process: open the clients, say so, wait for "collect" (or stop), then collect and report."""

    async def main() -> None:
        worker = _Worker(port, sources, expect)
        await worker.open(requests, rate)
        pipe.send(worker.report.opened)
        loop = asyncio.get_running_loop()
        order = await loop.run_in_executor(None, pipe.recv)
        if order[0] == "collect":
            await worker.collect(order[1])
        report = worker.report
        pipe.send(report)
        worker.close()

    asyncio.run(main())


class Waiters:
    """``requests`` (each ``(group, raw HTTP request)``) sent on connections of their own by ``workers`` processes
    to ``127.0.0.1:port``; each answer is expected to carry ``expect``.

    :meth:`open` connects them all (at most ``rate`` a second in all); :meth:`collect` waits for their answers.
    """

    def __init__(
        self, port: int, requests: Sequence[tuple[int, bytes]], workers: int, rate: float, expect: bytes
    ) -> None:
        self.sources = source_addresses(len(requests))
        context = multiprocessing.get_context("fork")
        self.pipes: list[Connection] = []
        self.processes: list[Any] = []
        for number in range(workers):
            share = requests[number::workers]
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_work, args=(theirs, port, share, self.sources, rate / workers, expect), daemon=True
            )
            self.pipes.append(ours)
            self.processes.append(process)

    def open(self, timeout: float) -> int:
        """Start the workers and wait until each has opened its connections; how many are open."""
        for process in self.processes:
            process.start()
        deadline = time.monotonic() + timeout
        opened = 0
        for pipe in self.pipes:
            if not pipe.poll(max(0.0, deadline - time.monotonic())):
                raise RuntimeError(f"the load generator did not open its connections within {timeout:g}s")
            opened += pipe.recv()
        return opened

    def collect(self, timeout: float) -> list[Report]:
        """Tell the workers to wait for their answers (``timeout`` at most); their reports."""
        for pipe in self.pipes:
            pipe.send(("collect", timeout))
        reports = []
        for pipe in self.pipes:
            if not pipe.poll(timeout + 30):
                raise RuntimeError("a load generator process did not report")
            reports.append(pipe.recv())
        return reports

    def stop(self) -> None:
        """End the workers (their connections close with them)."""
        for pipe in self.pipes:
            try:
                pipe.send(("stop",))
            except OSError:
                pass
        for process in self.processes:
            if process.pid is not None:
                process.join(5)
            if process.is_alive():
                process.kill()
                process.join()
