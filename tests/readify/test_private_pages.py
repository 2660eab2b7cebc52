"""Pages that show a signed-in user's data are never cached (issue "Hardening, second round", item 9):
after logging out, Back must not show the list again."""

from __future__ import annotations

from brubeck.request_handling import Brubeck
from tests.readify.pages import Reader


def test_readifys_lists_for_a_signed_in_user_are_not_stored(app: Brubeck) -> None:
    reader = Reader(app)
    assert reader.sign_up("alice").headers["Location"] == "/"
    for path in ("/", "/liked", "/archived", "/trash", "/tags", "/add_item", "/settings", "/alice"):
        response = reader.get(path)
        assert response.status == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    assert "Cache-Control" not in Reader(app).get("/alice").headers  # the public profile, seen by a visitor
