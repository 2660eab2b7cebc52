"""The long-poll benchmark's load generator: many HTTP clients that each send one request and wait for its answer.

The clients live in worker processes (plain non-blocking sockets on one epoll each, no event loop in
between), so that one Python process is not the bottleneck when thousands of answers arrive at once.  Each
client connects from one of several loopback source addresses (127.0.0.2, .3, …: each has its own ~28,000
ephemeral ports), sends its request and records when its whole answer was seen: the wall-clock time at
which ``epoll`` returned it.  Every worker measures its own lag: how long it took to read each batch of
ready connections (one ready meanwhile is seen that much later).  Bounded: at most ``rate`` connections
opened a second, and every wait has a deadline; the workers stop by themselves.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import resource
import select
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

PER_SOURCE = 20_000  # connections per loopback source address (of ~28,000 ephemeral ports)
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)  # the port is picked at connect
FD_MARGIN = 1_000
Request = tuple[int, bytes]
"""A request to send: its group (a room: the answers are timed from its post) and the raw HTTP request."""


def source_addresses(count: int) -> list[str]:
    """Loopback source addresses enough for ``count`` connections (127.0.0.2 on: 127.0.0.1 is the servers')."""
    return [f"127.0.0.{2 + number}" for number in range(max(1, -(-count // PER_SOURCE)))]


def raise_fd_limit(needed: int) -> tuple[int, str]:
    """Raise this process's open-file limit (inherited by what it starts) towards ``needed`` plus a margin:
    the connections one process may then hold, and what was done, in words.  Raising the hard limit takes
    root with CAP_SYS_RESOURCE."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = needed + FD_MARGIN
    if soft >= want:
        return soft - FD_MARGIN, f"open-file limit {soft} (enough for {needed:,})"
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, max(want, hard)))
    except (ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        return hard - FD_MARGIN, (
            f"open-file limit raised from {soft} to only {hard}, the hard limit, which may not be raised here "
            f"(that takes CAP_SYS_RESOURCE): a process holds at most {hard - FD_MARGIN:,} connections"
        )
    return needed, f"open-file limit raised from {soft} to {want} for {needed:,} connections"


@dataclass
class Report:
    """What one worker saw: when each answer arrived (``time.time()``), its status, and the worker's lag."""

    opened: int = 0
    failed: int = 0  # connections refused or reset before their answer
    arrivals: list[tuple[int, float]] = field(default_factory=list)  # (the request's group, when its answer came)
    matched: int = 0  # answers that carried the expected text
    statuses: dict[int, int] = field(default_factory=dict)
    lag_max: float = 0.0  # the longest the worker took to read one batch of ready connections
    cpu: float = 0.0  # CPU seconds spent reading the answers


def content_length(head: bytes) -> int:
    """The Content-Length of a response's head (0 without one)."""
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


@dataclass
class _Connection:
    sock: socket.socket
    group: int
    request: bytes
    buffer: bytes = b""
    done: bool = False


class _Worker:
    """One process's clients, on one epoll: no event loop between the kernel and the clock.

    Each batch of ready connections is stamped once, when ``epoll.poll`` returns them; the time taken to
    read a batch is the generator's lag (a connection ready meanwhile is seen that much later).
    """

    def __init__(self, port: int, sources: Sequence[str], expect: bytes) -> None:
        self.port, self.sources, self.expect = port, sources, expect
        self.report = Report()
        self.epoll = select.epoll()
        self.connections: dict[int, _Connection] = {}
        self.pending = 0  # connections waiting for their answer
        self.unsent = 0  # connections not yet connected and sent
        self.lag = 0.0  # the longest batch so far

    def open(self, requests: Sequence[Request], rate: float) -> None:
        """Connect and send every request, at most ``rate`` connections a second."""
        started = time.monotonic()
        for number, (group, request) in enumerate(requests):
            ahead = started + number / rate - time.monotonic()
            if ahead > 0:
                self._events(ahead)
            self._connect(number, group, request)
        deadline = started + len(requests) / rate + 30
        while self.unsent and time.monotonic() < deadline:
            self._events(0.05)
        self.report.opened = self.pending

    def _connect(self, number: int, group: int, request: bytes) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            sock.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
            sock.bind((self.sources[number % len(self.sources)], 0))
            sock.setblocking(False)
            code = sock.connect_ex(("127.0.0.1", self.port))
            if code not in (0, errno.EINPROGRESS):
                raise OSError(code, os.strerror(code))
        except OSError:
            sock.close()
            self.report.failed += 1
            return
        self.connections[sock.fileno()] = _Connection(sock, group, request)
        self.epoll.register(sock.fileno(), select.EPOLLOUT)
        self.unsent += 1

    def _events(self, timeout: float) -> None:
        events = self.epoll.poll(timeout)
        if not events:
            return
        now = time.time()
        for fd, _ in events:
            connection = self.connections[fd]
            if connection.request:
                self._send(fd, connection)
            else:
                self._read(connection, now)
        self.lag = max(self.lag, time.time() - now)

    def _send(self, fd: int, connection: _Connection) -> None:
        sock = connection.sock
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
            self._lost(fd, connection)
            return
        try:
            sock.send(connection.request)  # a few hundred bytes: one send
        except OSError:
            self._lost(fd, connection)
            return
        connection.request = b""
        self.unsent -= 1
        self.pending += 1
        self.epoll.modify(fd, select.EPOLLIN)

    def _read(self, connection: _Connection, now: float) -> None:
        try:
            data = connection.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._lost(connection.sock.fileno(), connection)
            return
        connection.buffer += data
        head_end = connection.buffer.find(b"\r\n\r\n")
        if head_end < 0 or len(connection.buffer) - head_end - 4 < content_length(connection.buffer[:head_end]):
            return
        connection.done = True
        report = self.report
        report.arrivals.append((connection.group, now))
        status = int(connection.buffer[9:12])
        report.statuses[status] = report.statuses.get(status, 0) + 1
        if self.expect in connection.buffer:
            report.matched += 1
        connection.buffer = b""
        self.epoll.unregister(connection.sock.fileno())
        self.pending -= 1

    def _lost(self, fd: int, connection: _Connection) -> None:
        if not connection.done:
            connection.done = True
            self.report.failed += 1
            if connection.request:
                self.unsent -= 1
            else:
                self.pending -= 1
        self.epoll.unregister(fd)

    def collect(self, timeout: float) -> None:
        """Read the answers until each connection has its own (or ``timeout``)."""
        self.lag = 0.0
        cpu = time.process_time()
        deadline = time.monotonic() + timeout
        while self.pending > 0 and time.monotonic() < deadline:
            self._events(0.05)
        self.report.cpu = time.process_time() - cpu
        self.report.lag_max = self.lag

    def close(self) -> None:
        for connection in self.connections.values():
            connection.sock.close()
        self.epoll.close()


def _work(
    pipe: Connection,
    port: int,
    requests: Sequence[Request],
    sources: Sequence[str],
    rate: float,
    expect: bytes,
) -> None:
    """A worker process: open the clients, say so, wait for "collect" (or stop), then collect and report."""
    worker = _Worker(port, sources, expect)
    worker.open(requests, rate)
    pipe.send(worker.report.opened)
    order = pipe.recv()
    if order[0] == "collect":
        worker.collect(order[1])
    pipe.send(worker.report)
    worker.close()


class Waiters:
    """``requests`` (each ``(group, raw HTTP request)``) sent on connections of their own by ``workers`` processes
    to ``127.0.0.1:port``; each answer is expected to carry ``expect``.

    :meth:`open` connects them all (at most ``rate`` a second in all); :meth:`collect` waits for their answers.
    """

    def __init__(self, port: int, requests: Sequence[Request], workers: int, rate: float, expect: bytes) -> None:
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
