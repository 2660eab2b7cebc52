"""The exception a handler raises to answer with an error."""

from __future__ import annotations

from collections.abc import Mapping

from .responses import reason_phrase


class HTTPError(Exception):
    """Raise in a handler to answer with an error page or JSON error.

    ``fields`` maps form or API field names to what is wrong with them.
    """

    def __init__(
        self,
        status: int,
        message: str | None = None,
        fields: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status = status
        self.message = message or reason_phrase(status)
        self.fields = dict(fields or {})
        self.headers = dict(headers or {})
        super().__init__(f"{status}: {self.message}")
