"""Listsurf's link: its id and its API view."""

from __future__ import annotations

from listsurf.models import Link


def test_link_id_is_stable_per_owner_and_url() -> None:
    link_id = Link.id_for("alice", "https://example.com/")
    assert link_id == Link.id_for("alice", "https://example.com/")
    assert len(link_id) == 24 and all(c in "0123456789abcdef" for c in link_id)
    assert link_id != Link.id_for("bob", "https://example.com/")
    assert link_id != Link.id_for("alice", "https://example.com/other")


def test_link_api_view() -> None:
    link = Link(id="abc", owner="alice", url="Example.com/x", title="T", created_at=1, updated_at=2)
    assert link.to_api() == {
        "id": "abc",
        "url": "https://example.com/x",
        "title": "T",
        "created_at": 1,
        "updated_at": 2,
    }
    assert link.host == "example.com"
