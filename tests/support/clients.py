"""``SiteClient``: a browser-like HTTP client for one site through Mongrel2 (requests, not a real browser)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests

from brubeck.csrf import CSRF_FIELD
from brubeck.testing import CSRF_INPUT
from tests.support.pages import AccountActions


class SiteClient(AccountActions, requests.Session):
    """A browser-like client for one site through Mongrel2: relative paths, CSRF tokens from forms."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str, url: str, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 15)
        if not url.startswith("http"):
            url = self.base_url + url
        parts = urlsplit(url)
        if parts.hostname and parts.hostname.endswith(".localhost"):  # as browsers do; this resolver does not
            kwargs["headers"] = {"Host": parts.netloc, **(kwargs.get("headers") or {})}
            url = urlunsplit(parts._replace(netloc=f"127.0.0.1:{parts.port or 80}"))
        return super().request(method, url, *args, **kwargs)

    def get(self, url: str, **kwargs):  # type: ignore[override]
        """GET without following redirects (``Session.get`` would follow them)."""
        return self.request("GET", url, **kwargs)

    def csrf_token(self, form_url: str = "/login") -> str:
        """The CSRF token from a page's form (fetching it sets the cookie)."""
        page = self.get(form_url)
        found = CSRF_INPUT.search(page.text)
        assert found, f"no CSRF field on {form_url} ({page.status_code})"
        return found.group(1)

    def post_form(self, url: str, data: dict[str, str], form_url: str | None = None) -> requests.Response:
        """POST a form with a valid CSRF token taken from ``form_url`` (default: ``url``)."""
        return self.post(url, data={**data, CSRF_FIELD: self.csrf_token(form_url or url)})
