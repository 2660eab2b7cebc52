"""Benchmarks of Brubeck and the suite, run from the repository root as modules (``make bench`` runs all five):

    .venv/bin/python -m bench.hello     hello world and a JSON hello, ten servers
    .venv/bin/python -m bench.store     Listsurf on the embedded store at 50,000 links
    .venv/bin/python -m bench.readify   Readify on the embedded store at 50,000 links
    .venv/bin/python -m bench.service   a Brubeck service call against the same job done inline
    .venv/bin/python -m bench.longpoll  1,000 to 50,000 waiting chat clients in one SpotiChat process, one post

A benchmark's own process runs real threads and subprocesses, so importing this package, which comes
before any benchmark imports ``brubeck``, turns Brubeck's monkey patching off for it.  The servers it
starts get :data:`SERVER_ENV` instead.
"""

import os

SERVER_ENV = {"BRUBECK_MONKEY_PATCH": "1", **{k: v for k, v in os.environ.items() if k != "MONGODB_URL"}}
"""The servers' environment: the one given, but the suite's sites on the embedded store (no ``MONGODB_URL``)
and Brubeck's monkey patching on unless the environment turns it off (the hello-world servers import this
package too)."""

os.environ.setdefault("BRUBECK_MONKEY_PATCH", "0")
