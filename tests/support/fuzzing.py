"""How the schemathesis tests draw their examples: 30 an operation and mode, no deadline (the server is real),
no example database; in CI the same examples every run (a failure there is a regression, not a new find),
elsewhere new ones each run (which is how the fuzzing finds what it has not yet found)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

from tests.support.servers import IN_CI

FUZZ = settings(
    max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=IN_CI
)
