"""URL routing, as Brubeck did it: the first route in order whose pattern matches at the start of the path.

A pattern is a regular expression matched with ``re.match``: it is anchored at the start of the path
(``^`` is optional) but not at its end, so ``^/brubeck`` also answers ``/brubeck/more`` and ``^/``
answers every path.  End a pattern with ``$`` to match the whole path (``^/login$`` does not answer
``/loginx``).  Named groups become keyword arguments, unnamed ones positional arguments.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .responses import Response

HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class HandlerClass(Protocol):
    """What routing needs of a handler class (and what the application does with one)."""

    def __init__(self, application: Any, message: Any, *args: str, **kwargs: str) -> None: ...

    def __call__(self) -> Response | None: ...

    @classmethod
    def allowed_methods(cls) -> tuple[str, ...]: ...


@dataclass
class Route:
    """A pattern and what answers it: a handler class, or functions by method."""

    pattern: re.Pattern[str]
    handler: type[HandlerClass] | None = None
    functions: dict[str, Callable[..., Any]] = field(default_factory=dict)
    # One Match shared by every match of a pattern without groups:
    whole_match: Match | None = field(init=False, repr=False, default=None)
    methods: tuple[str, ...] = field(init=False, repr=False, default=())
    """:meth:`allowed_methods`, worked out when the route is made and each time it is given a function."""

    def __post_init__(self) -> None:
        self.whole_match = None if self.pattern.groups else Match(self, (), {})
        self.methods = self.allowed_methods()

    def allowed_methods(self) -> tuple[str, ...]:
        if self.handler is not None:
            return self.handler.allowed_methods()
        allowed = set(self.functions)
        if "GET" in allowed:
            allowed.add("HEAD")
        allowed.add("OPTIONS")
        return tuple(m for m in HTTP_METHODS if m in allowed)


@dataclass
class Match:
    """The route that matched and the arguments taken from the path."""

    route: Route
    args: tuple[str, ...]
    kwargs: dict[str, str]


class Router:
    """An ordered list of routes."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add_handler(self, pattern: str, handler: type[HandlerClass]) -> None:
        """Route ``pattern`` to a handler class."""
        self.routes.append(Route(re.compile(pattern), handler=handler))

    def add_function(self, pattern: str, function: Callable[..., Any], methods: list[str]) -> None:
        """Route ``pattern`` to a function for the given methods."""
        for route in self.routes:
            if route.handler is None and route.pattern.pattern == pattern:
                break
        else:
            route = Route(re.compile(pattern))
            self.routes.append(route)
        for method in methods:
            route.functions[method.upper()] = function
        route.methods = route.allowed_methods()

    def match(self, path: str) -> Match | None:
        """The first route whose pattern matches at the start of ``path``."""
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if route.whole_match is not None:  # the common case: nothing to take from the path
                    return route.whole_match
                kwargs = {k: v for k, v in found.groupdict().items() if v is not None}
                named = set(found.re.groupindex.values())
                args = tuple(found.group(i) for i in range(1, found.re.groups + 1) if i not in named)
                return Match(route, args, kwargs)
        return None
