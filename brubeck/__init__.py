"""Brubeck: a coroutine web framework behind Mongrel2, rebuilt for Python 3."""

__version__ = "1.0.0"
