"""Every site the suite can run: its host name, its static folder, its line on the landing page.

A site runs when conf/Procfile has a line of its name: only those get a Mongrel2 host and a place on
the landing page.  Each site's two handler ports follow from its place here (``HANDLER_PORT_BASE``
plus twice its index), so add a new site at the end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SiteEntry:
    """A site of the suite, as the bring-up and Mongrel2 see it."""

    host: str
    static: str | None = None
    """The folder (from the project root) Mongrel2 serves at ``/static/``."""
    title: str = ""
    """Its name on the landing page; none: not listed there."""
    line: str = ""
    """What the landing page says of it."""


SITES = {
    "listsurf": SiteEntry(
        "listsurf.localhost", "listsurf/static/", "Listsurf", "Save links for later, with a bookmarklet and a JSON API."
    ),
    "readify": SiteEntry(
        "readify.localhost",
        "readify/static/",
        "Readify",
        "Listsurf grown up: profiles, tags, likes, archive and a dashboard.",
    ),
    "readify-api": SiteEntry("api.readify.localhost"),
    "spotichat": SiteEntry(
        "spotichat.localhost",
        "spotichat/static/",
        "SpotiChat",
        "A chat room for every Spotify track, live by long-polling.",
    ),
    "landing": SiteEntry("localhost", "conf/static/"),  # the landing page's own handler (conf/landing.py)
    "nojs": SiteEntry(
        "nojs.localhost",
        "nojs/static/",
        "no.js",
        "Chat with zero JavaScript (META refresh and long-polling), for the oldest browsers and text ones.",
    ),
}

SERVICES = {"readify-fetcher": "readify"}
"""Every service the suite can run (:mod:`brubeck.service`), with the site whose processes call it.

A service runs when conf/Procfile has its line and its hub's (``NAME-hub``, one process): the hub binds four
ports, ``SERVICE_PORT_BASE`` plus four times the service's place here, two for the callers and two for the
service's processes.  Add a new service at the end.
"""
