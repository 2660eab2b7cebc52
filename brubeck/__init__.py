"""Brubeck: a coroutine web framework behind Mongrel2, rebuilt for Python 3.

Importing it first monkey-patches the standard library for the coroutine
library in use (see :mod:`brubeck.concurrency`; ``BRUBECK_MONKEY_PATCH=0``
turns that off).
"""

from . import concurrency  # noqa: F401  (imported first: it patches the standard library)

__version__ = "1.0.0"
