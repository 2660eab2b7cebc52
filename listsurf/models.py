"""Listsurf's record: a saved link."""

from __future__ import annotations

import hashlib
from typing import Any, ClassVar

from shared.models import SavedLink


class Link(SavedLink):
    """A link saved on Listsurf; one per owner and URL (saving it again updates it)."""

    collection: ClassVar[str] = "links"

    @staticmethod
    def id_for(owner: str, url: str) -> str:
        """The link's id: the same owner and URL always give the same id."""
        return hashlib.sha256(f"{owner}\n{url}".encode()).hexdigest()[:24]

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "url": self.url,
            "title": self.title,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
