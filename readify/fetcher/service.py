"""The page fetcher as a Brubeck service: ``python -m readify.fetcher`` answers ``/fetcher/page-info`` requests.

A request's arguments: ``url``, and ``context`` (anything; sent back as it came, so that a caller that
did not wait knows which link the reply is for).  The reply's payload has ``url`` and ``context`` too, and:

- 200: ``title``, ``description`` and ``final_url`` (see :func:`readify.fetcher.fetch.fetch_page_info`);
- 422: ``error``, why the address is refused (not http/https, a private address...);
- 502: ``error``, why the fetch failed (no answer in time, no such name, an error status...);
- 400: ``error``, the request has no URL.

Run as many processes as the work needs (``SUITE_PROCESSES="readify-fetcher=3"``): they connect to the
service's hub (:mod:`conf.service_hub`), which hands each request to one of them.
"""

from __future__ import annotations

import logging
from typing import Any

from brubeck.request_handling import Brubeck
from brubeck.responses import Response
from brubeck.service import ServiceConnection, ServiceMessageHandler
from brubeck.service_hub import ServiceHub

from .fetch import FetchError, FetchRefused, fetch_page_info

SERVICE = "readify-fetcher"
"""The service's name in the settings and conf/Procfile."""
PAGE_INFO = "/fetcher/page-info"
"""The path of the fetcher's one route, which a caller's route for its replies shares."""

log = logging.getLogger("readify.fetcher")


class PageInfoHandler(ServiceMessageHandler):
    """``/fetcher/page-info``: fetch the page at the ``url`` argument and answer its title and description."""

    application: FetcherApp

    def request(self) -> Response:
        url = self.message.get_argument("url")
        self.add_to_payload("url", url)
        self.add_to_payload("context", self.message.get_argument("context"))
        if not isinstance(url, str) or not url:
            self.add_to_payload("error", "the request has no URL")
            return self.render(400, "No URL")
        try:
            info = fetch_page_info(url, allow_private=self.application.allow_private)
        except FetchError as error:
            refused = isinstance(error, FetchRefused)
            log.info("%s %s: %s", "Refused" if refused else "Could not fetch", url, error.reason)
            self.add_to_payload("error", error.reason)
            return self.render(422 if refused else 502, "Refused" if refused else "Failed")
        for name in ("title", "description", "final_url"):
            self.add_to_payload(name, getattr(info, name))
        return self.render(200, "Fetched")


class FetcherApp(Brubeck):
    """The fetcher's process: ``allow_private`` lets it fetch loopback and private addresses (tests only)."""

    def __init__(self, allow_private: bool = False, **config: Any) -> None:
        super().__init__(**config)
        self.allow_private = allow_private


def create_fetcher(hub: ServiceHub, passphrase: str, *, allow_private: bool = False) -> FetcherApp:
    """A fetcher process's app, taking requests from ``hub``'s service side."""
    connection = ServiceConnection(hub.service_addr, hub.service_response_addr, passphrase)
    return FetcherApp(allow_private, msg_conn=connection, handler_tuples=[(rf"{PAGE_INFO}$", PageInfoHandler)])
