"""Which of the suite's sites this tree holds: a site removed (its folder, its tests, its Procfile line)
takes its tests with it, and the tests of the others that use it skip."""

from __future__ import annotations

import importlib.util


def present(module: str) -> bool:
    """True when ``module`` (``listsurf``, ``tests.readify.live``...) can be imported here."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its package is gone
        return False
