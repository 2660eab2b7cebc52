"""Readify's pages and API ask the page fetcher (:mod:`readify.fetcher.service`) for a link's title.

A link saved without a title is sent to the fetcher without waiting (:meth:`PageInfoCaller.fetch_title_later`);
the fetcher's reply comes back to the process that sent it, whose :class:`PageInfoReplies` route gives the
link the page's title (and description, if it has none), unless the reader gave it one (or changed its
URL) meanwhile.  Until then the link
shows its URL.  The refresh button and ``POST /links/<id>/refresh`` wait for the fetcher
(:meth:`PageInfoCaller.refresh_title`), at most the ``service_timeout`` setting.

The fetcher is optional: without the ``readify-fetcher`` service in the settings, links keep the title
they were saved with, and a refresh says that fetching is not running here.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError

from brubeck.responses import Response
from brubeck.service import ServiceClientMixin, ServiceMessageHandler, ServiceTimeout
from shared.settings import Settings
from shared.web import SiteApp, SiteHandler

from .fetcher.service import PAGE_INFO, SERVICE
from .links import page_info_fetched
from .models import ReadifyLink

log = logging.getLogger("readify.fetching")


class TitleUnavailable(Exception):
    """No title could be had: ``status`` and a ``message`` for the reader.

    422: the page could not be read, or has no title; 503: fetching is not set up here; 504: the fetcher
    did not answer in time (it is down, or busy).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def fetches_titles(settings: Settings) -> bool:
    """Whether the page fetcher is set up here (the settings name its service)."""
    return SERVICE in settings.services


class PageInfoCaller(ServiceClientMixin, SiteHandler):
    """For a Readify handler: ask the page fetcher for a link's title, without waiting or waiting."""

    application: SiteApp

    def _fetcher(self) -> str | None:
        """The fetcher's address (connected to once per process), or None when the settings have none."""
        addresses = self.application.config.services.get(SERVICE)
        if addresses is None:
            return None
        self.register_service(addresses.requests, addresses.replies, addresses.passphrase, hub=True)
        return addresses.requests

    def fetch_title_later(self, link: ReadifyLink) -> None:
        """If ``link`` has no title, have the fetcher find it; the reply fills it in (:class:`PageInfoReplies`)."""
        addr = None if link.title else self._fetcher()
        if addr is not None:
            context = {"owner": link.owner, "link": link.id}
            self.send_service_request_nowait(addr, self._request(link, context))

    def refresh_title(self, link: ReadifyLink) -> ReadifyLink:
        """Fetch the link's page now and give the link its title; the link.  :class:`TitleUnavailable`
        when the fetcher is not running, does not answer in time, or finds no title."""
        addr = self._fetcher()
        if addr is None:
            raise TitleUnavailable(503, "Fetching titles is not set up on this server.")
        timeout = self.application.config.service_timeout
        try:
            reply, _ = self.send_service_request(addr, self._request(link), handle=False, timeout=timeout)
        except ServiceTimeout:
            message = f"The page fetcher did not answer within {timeout:g} seconds: it may be down. Try again later."
            raise TitleUnavailable(504, message) from None
        payload: dict[str, Any] = reply.body
        if reply.status_code != 200:
            raise TitleUnavailable(422, f"The page could not be read: {payload.get('error', 'no reason given')}.")
        title = _text(payload, "title")
        if not title:
            raise TitleUnavailable(422, "The page has no title.")
        try:
            changed = page_info_fetched(
                self.store, link.owner, link.id, link.url, title, _text(payload, "description"), replace=True
            )
        except ValidationError:
            raise TitleUnavailable(422, "The page's title is not one a link can have.") from None
        return changed or link

    def _request(self, link: ReadifyLink, context: dict[str, str] | None = None) -> Any:
        return self.create_service_request(PAGE_INFO, "request", {"url": link.url, "context": context})


class PageInfoReplies(ServiceMessageHandler):
    """The fetcher's replies to requests sent without waiting: the link gets its page's title."""

    application: SiteApp

    def response(self) -> Response:
        payload: dict[str, Any] = self.message.body if isinstance(self.message.body, dict) else {}
        context, url = payload.get("context"), payload.get("url")
        title, description = _text(payload, "title"), _text(payload, "description")
        if not isinstance(context, dict) or not isinstance(url, str):
            log.warning("A reply of the page fetcher without its link: %r", payload)
        elif self.status_code != 200:
            log.info("Nothing fetched for %s: %s", url, payload.get("error", "no reason given"))
        else:
            owner, link_id = str(context.get("owner")), str(context.get("link"))
            try:
                page_info_fetched(self.application.store, owner, link_id, url, title, description, replace=False)
            except ValidationError as error:
                log.warning("What the page fetcher read of %s was not kept: %s", url, error)
        return self.render()


def _text(payload: dict[str, Any], name: str) -> str:
    value = payload.get(name)
    return value if isinstance(value, str) else ""


REPLY_ROUTE = (rf"{PAGE_INFO}$", PageInfoReplies)
"""The route of the fetcher's replies, in every Readify app that calls it."""
