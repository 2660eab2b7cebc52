"""Pages that show a signed-in user's data are never cached (issue "Hardening, second round", item 9):
after logging out, Back must not show the list again."""

from __future__ import annotations

from brubeck.request_handling import Brubeck
from tests.listsurf.pages import Browser


def test_listsurfs_pages_for_a_signed_in_user_are_not_stored(alice: Browser, visitor: Browser, app: Brubeck) -> None:
    for path in ("/", "/add_item", "/tokens"):
        assert alice.get(path).headers.get("Cache-Control") == "no-store", path
    assert "Cache-Control" not in visitor.get("/login").headers  # nobody's data: a cache may keep it
