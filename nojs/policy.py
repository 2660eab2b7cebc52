"""What every no.js page is sent with: a policy that runs no script at all, and lets its pages frame each other."""

from __future__ import annotations

POLICY = (
    "default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "frame-src 'self'; frame-ancestors 'self'; base-uri 'none'"
)
"""No script, no plug-in, nothing from elsewhere; its own pages in its own frames only."""
NO_STORE = {"Cache-Control": "no-store"}
"""A live view is never kept by a cache."""
