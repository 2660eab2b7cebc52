"""The one module that knows which coroutine library runs Brubeck.

gevent is the default; set ``BRUBECK_CONCURRENCY=eventlet`` to use eventlet.
Everything else in the framework imports ``spawn``, ``sleep``, ``Event``,
``zmq``, ``serve_wsgi`` and ``run_in_thread`` from here.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

__all__ = ["NAME", "Event", "monkey_patch", "run_in_thread", "serve_wsgi", "sleep", "spawn", "zmq"]

NAME = os.environ.get("BRUBECK_CONCURRENCY", "gevent").strip().lower() or "gevent"

if NAME == "gevent":
    import gevent
    import gevent.event
    import gevent.monkey
    import gevent.pywsgi
    import zmq.green as zmq

    spawn = gevent.spawn
    sleep = gevent.sleep
    Event = gevent.event.Event

    def monkey_patch() -> None:
        """Make the standard library cooperative (call before other imports)."""
        gevent.monkey.patch_all()

    def serve_wsgi(app: Callable, host: str, port: int) -> None:
        """Serve a WSGI callable until the process is stopped."""
        gevent.pywsgi.WSGIServer((host, port), app, log=None).serve_forever()

    def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call in the hub's thread pool; the caller waits."""
        return gevent.get_hub().threadpool.apply(fn, args)

elif NAME == "eventlet":
    import eventlet
    import eventlet.event
    import eventlet.tpool
    import eventlet.wsgi
    from eventlet.green import zmq

    spawn = eventlet.spawn
    sleep = eventlet.sleep

    class Event:
        """A resettable-once event with gevent's ``set``/``is_set``/``wait``."""

        def __init__(self) -> None:
            self._event = eventlet.event.Event()

        def set(self) -> None:
            if not self._event.ready():
                self._event.send(True)

        def is_set(self) -> bool:
            return self._event.ready()

        def wait(self, timeout: float | None = None) -> bool:
            if timeout is None:
                self._event.wait()
            else:
                with eventlet.Timeout(timeout, False):
                    self._event.wait()
            return self._event.ready()

    def monkey_patch() -> None:
        """Make the standard library cooperative (call before other imports)."""
        eventlet.monkey_patch()

    def serve_wsgi(app: Callable, host: str, port: int) -> None:
        """Serve a WSGI callable until the process is stopped."""
        eventlet.wsgi.server(eventlet.listen((host, port)), app, log_output=False)

    def run_in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call in eventlet's thread pool; the caller waits."""
        return eventlet.tpool.execute(fn, *args)

else:
    raise ImportError(f"BRUBECK_CONCURRENCY must be 'gevent' or 'eventlet', not {NAME!r}")
