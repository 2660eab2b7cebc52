"""no.js end to end: its users' clients through Mongrel2 (the ``nojs`` and ``room`` fixtures are in conftest.py)."""

from __future__ import annotations

import uuid

from tests.nojs.pages import Chatter
from tests.support.clients import SiteClient
from tests.support.pages import PASSWORD
from tests.support.servers import Endpoint

POLL_TIMEOUT_S = 20
"""How long the ``nojs`` fixture's process holds a view (CHAT_POLL_TIMEOUT)."""


class LiveChatter(Chatter, SiteClient):
    """A no.js user's browser, through Mongrel2."""

    name = ""

    def twin(self) -> LiveChatter:
        """Another connection of the same browser (its cookies): a second frame of the same page."""
        other = LiveChatter(self.base_url)
        other.cookies.update(self.cookies)
        other.name = self.name
        return other


def signed_up(endpoint: Endpoint, username: str) -> LiveChatter:
    """A new account, its name made the test's own (rate limits are kept per name in the shared Redis)."""
    client = LiveChatter(endpoint.url)
    name = f"{username}{uuid.uuid4().hex[:6]}"
    assert client.sign_up(name, PASSWORD).headers["Location"] == "/"
    client.name = name
    return client
