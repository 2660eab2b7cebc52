"""The one module that knows which coroutine library runs Brubeck.

gevent is the default; set ``BRUBECK_CONCURRENCY=eventlet`` to use eventlet.
Importing ``brubeck`` imports this module first, and it monkey-patches the
standard library with the chosen library (as Brubeck 0.4 did on import), so
``time.sleep``, sockets, ``threading`` and the database drivers built on them
wait cooperatively instead of stalling every request of the process.
``BRUBECK_MONKEY_PATCH=0`` turns the patching off (then only what Brubeck
itself does is cooperative).  Import ``brubeck`` before other modules, so that
they see the patched library.

Everything else in the framework imports ``spawn``, ``sleep``, ``Event``,
``call_soon``, ``on_signal``, ``run_in_thread``, ``wait_readable``, ``current``,
``watch_switches`` and ``ReusingSpawner`` from here (and :mod:`brubeck.wsgi`
its WSGI server, by ``NAME``).  ``zmq`` is the library's green pyzmq, for
applications' own ZeroMQ sockets (services); ``Mongrel2Connection`` uses
plain pyzmq sockets and waits on them through ``wait_readable``, which costs
less per message.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable
from typing import Any

import greenlet

__all__ = [
    "MONKEY_PATCHED",
    "NAME",
    "Event",
    "ReusingSpawner",
    "call_soon",
    "current",
    "on_signal",
    "run_in_thread",
    "sleep",
    "spawn",
    "wait_readable",
    "watch_switches",
    "zmq",
]

_log = logging.getLogger("brubeck.concurrency")

NAME = os.environ.get("BRUBECK_CONCURRENCY", "gevent").strip().lower() or "gevent"
MONKEY_PATCHED = os.environ.get("BRUBECK_MONKEY_PATCH", "1").strip().lower() not in ("0", "false", "no", "off")
"""True when importing Brubeck patched the standard library (``BRUBECK_MONKEY_PATCH`` not 0)."""

if NAME == "gevent":
    import gevent.monkey

    if MONKEY_PATCHED:
        gevent.monkey.patch_all()

    import gevent
    import gevent.event
    import gevent.queue
    import gevent.socket
    import zmq.green as zmq

    spawn = gevent.spawn
    sleep = gevent.sleep
    Event = gevent.event.Event
    _Queue = gevent.queue.Queue

    def call_soon(fn: Callable[[], Any]) -> None:
        """Run ``fn()`` in the hub once the greenlets that are ready now have run."""
        gevent.get_hub().loop.run_callback(fn)

    _signal_handlers: list[Any] = []

    def on_signal(signum: int, fn: Callable[[], Any]) -> None:
        """Call ``fn()`` whenever the process gets signal ``signum`` (in a greenlet of its own)."""
        _signal_handlers.append(gevent.signal_handler(signum, fn))

    def wait_readable(fd: int, timeout: float) -> None:
        """Wait until ``fd`` is readable or ``timeout`` seconds have passed."""
        try:
            gevent.socket.wait_read(fd, timeout)
        except TimeoutError:
            pass

    def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call in the hub's thread pool; the caller waits (and gets its exception)."""
        # The pool prints every exception a call raises; this one is the caller's to handle.
        failed, value = gevent.get_hub().threadpool.apply(_outcome, (fn, args))
        if failed:
            raise value
        return value

    def _outcome(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[bool, Any]:
        try:
            return False, fn(*args)
        except Exception as error:
            return True, error

elif NAME == "eventlet":
    import eventlet

    if MONKEY_PATCHED:
        eventlet.monkey_patch()

    import eventlet.event
    import eventlet.hubs
    import eventlet.queue
    import eventlet.tpool
    from eventlet.green import zmq  # type: ignore[no-redef]

    spawn = eventlet.spawn
    sleep = eventlet.sleep
    _Queue = eventlet.queue.LightQueue

    def call_soon(fn: Callable[[], Any]) -> None:
        """Run ``fn()`` in the hub once the greenlets that are ready now have run."""
        eventlet.hubs.get_hub().schedule_call_global(0, fn)

    def on_signal(signum: int, fn: Callable[[], Any]) -> None:
        """Call ``fn()`` whenever the process gets signal ``signum`` (from a Python signal handler, which
        may interrupt any greenlet between two bytecodes: ``fn`` should only set a flag)."""
        signal.signal(signum, lambda *_: fn())

    def wait_readable(fd: int, timeout: float) -> None:
        """Wait until ``fd`` is readable or ``timeout`` seconds have passed."""
        try:
            eventlet.hubs.trampoline(fd, read=True, timeout=timeout, timeout_exc=TimeoutError)
        except TimeoutError:
            pass

    class Event:  # type: ignore[no-redef]
        """A resettable-once event with gevent's ``set``/``is_set``/``wait``."""

        def __init__(self) -> None:
            self._event = eventlet.event.Event()

        def set(self) -> None:
            if not self._event.ready():
                self._event.send(True)

        def is_set(self) -> bool:
            return bool(self._event.ready())

        def wait(self, timeout: float | None = None) -> bool:
            if timeout is None:
                self._event.wait()
            else:
                with eventlet.Timeout(timeout, False):
                    self._event.wait()
            return bool(self._event.ready())

    def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call in eventlet's thread pool; the caller waits."""
        return eventlet.tpool.execute(fn, *args)

else:
    raise ImportError(f"BRUBECK_CONCURRENCY must be 'gevent' or 'eventlet', not {NAME!r}")


current = greenlet.getcurrent
"""The greenlet running now (both libraries' greenlets are greenlet's)."""

_switch_watchers: list[Callable[[Any], None]] = []
_previous_trace: Any = None


def watch_switches(watcher: Callable[[Any], None]) -> Callable[[], None]:
    """Call ``watcher(origin)`` each time a greenlet of this thread gives up control (``origin``: that
    greenlet), as it switches to the hub or to another greenlet; returns the function that stops it.

    Both libraries run on greenlets, so this is greenlet's own trace hook (a tracer set before, such as
    gevent's monitor thread's, is called too).  A watcher is called on every switch: it must be quick, and
    must not switch (scheduling a greenlet to run, as ``spawn`` does, is fine).
    """
    global _previous_trace
    if not _switch_watchers:
        _previous_trace = greenlet.settrace(_trace)
    _switch_watchers.append(watcher)

    def stop() -> None:
        global _previous_trace
        _switch_watchers.remove(watcher)
        if not _switch_watchers:
            greenlet.settrace(_previous_trace)
            _previous_trace = None

    return stop


def _trace(event: str, args: tuple[Any, Any]) -> None:
    if event == "switch" or event == "throw":
        origin = args[0]
        for watcher in _switch_watchers:
            watcher(origin)
    if _previous_trace is not None:
        _previous_trace(event, args)


class ReusingSpawner:
    """``spawn(fn, *args)`` that runs every call in a greenlet of its own, reusing finished greenlets.

    On Python 3.11+ a new greenlet maps a fresh frame stack when it starts and
    unmaps it when it ends (an mmap/munmap pair, with TLB flushes on the other
    cores): more than a small request costs to answer.  Here a greenlet that
    has finished its call waits for the next one instead of ending (at most
    ``max_idle`` wait).  A call never waits for another: with no idle greenlet
    a new one is spawned.  Greenlet-local state survives from one call to the
    next in the same greenlet; Brubeck keeps none.  An exception is logged.
    """

    def __init__(self, max_idle: int = 128) -> None:
        self.max_idle = max_idle
        self._idle = 0  # greenlets waiting in (or about to enter) self._calls.get()
        self._calls = _Queue()

    def spawn(self, fn: Callable[..., Any], *args: Any) -> None:
        if self._idle:
            self._idle -= 1
            self._calls.put_nowait((fn, args))
        else:
            spawn(self._run, fn, args)

    def _run(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        while True:
            try:
                fn(*args)
            except Exception:
                _log.exception("Unhandled error in %r", fn)
            if self._idle >= self.max_idle:
                return
            self._idle += 1
            try:
                fn, args = self._calls.get()
            except BaseException:  # killed while idle
                self._idle -= 1
                raise
