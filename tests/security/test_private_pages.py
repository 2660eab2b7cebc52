"""Pages that show a signed-in user's data are never cached (issue "Hardening, second round", item 9):
after logging out, Back must not show the list again."""

from __future__ import annotations

from brubeck.request_handling import Brubeck
from readify.app import create_app as create_readify
from shared.store import Store
from tests.support.inprocess import COOKIE_SECRET
from tests.support.listsurf_pages import Browser
from tests.support.readify_pages import Reader


def test_listsurfs_pages_for_a_signed_in_user_are_not_stored(alice: Browser, visitor: Browser, app: Brubeck) -> None:
    for path in ("/", "/add_item", "/tokens"):
        assert alice.get(path).headers.get("Cache-Control") == "no-store", path
    assert "Cache-Control" not in visitor.get("/login").headers  # nobody's data: a cache may keep it


def test_readifys_lists_for_a_signed_in_user_are_not_stored(store: Store) -> None:
    app = create_readify(settings={"cookie_secret": COOKIE_SECRET}, db=store)
    reader = Reader(app)
    assert reader.sign_up("alice").headers["Location"] == "/"
    for path in ("/", "/liked", "/archived", "/trash", "/tags", "/add_item", "/settings", "/alice"):
        response = reader.get(path)
        assert response.status == 200, path
        assert response.headers.get("Cache-Control") == "no-store", path
    assert "Cache-Control" not in Reader(app).get("/alice").headers  # the public profile, seen by a visitor
