"""Listsurf's links in the store, run against both engines: SQLite (the default) and MongoDB (on mongomock)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from listsurf.links import AlreadySaved, edit_link, get_link, list_links, save_link
from listsurf.models import Link
from listsurf.store import LINKS, LinkQuery, links
from shared.store import Store
from tests.support.stores import assert_mongo_indexes


@pytest.fixture
def store(either_store: Store) -> Store:
    """Each test runs on both engines."""
    return either_store


def link(owner: str, url: str, title: str = "", at: int = 1_000) -> Link:
    draft = Link(id="x", owner=owner, url=url, title=title, created_at=at, updated_at=at)
    return draft.model_copy(update={"id": Link.id_for(owner, draft.url)})


# -- links -----------------------------------------------------------------------------------------------


def test_saving_a_url_again_updates_it(store: Store) -> None:
    saved, created = links(store).upsert(link("alice", "https://example.com/", "First", at=1_000))
    assert created and saved.title == "First"
    again, created = links(store).upsert(link("alice", "https://example.com/", "", at=2_000))
    assert not created
    assert (again.title, again.created_at, again.updated_at) == ("First", 1_000, 2_000)  # an empty title keeps it
    renamed, _ = links(store).upsert(link("alice", "https://example.com/", "Second", at=3_000))
    assert (renamed.title, renamed.updated_at) == ("Second", 3_000)
    assert links(store).count("alice") == 1


def test_pages_are_newest_first_without_gaps_or_repeats(store: Store) -> None:
    for n in range(25):
        links(store).upsert(link("alice", f"https://example.com/{n}", f"Link {n}", at=1_000 + n // 2))  # ties
    links(store).upsert(link("bob", "https://example.com/bob", "Bob's", at=5_000))
    seen: list[str] = []
    cursor = None
    while True:
        page = list_links(store, "alice", limit=7, cursor=cursor)
        seen += [item.id for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    everything = links(store).page(LinkQuery("alice", 100))
    assert seen == [item.id for item in everything]
    assert len(seen) == len(set(seen)) == 25
    assert [(item.updated_at, item.id) for item in everything] == sorted(
        ((item.updated_at, item.id) for item in everything), reverse=True
    )


def test_since_keeps_links_updated_after_it(store: Store) -> None:
    for n in range(5):
        links(store).upsert(link("alice", f"https://example.com/{n}", at=1_000 * (n + 1)))
    assert [item.updated_at for item in links(store).page(LinkQuery("alice", 10, since=3_000))] == [5_000, 4_000]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (("python",), ["Python tips", "Learning python"]),
        (("PYTH",), ["Python tips", "Learning python"]),  # the start of a word, any case
        (("python", "tips"), ["Python tips"]),  # every word must match
        (("example",), ["Python tips", "Learning python", "Gardening"]),  # the URL counts
        (("garden",), ["Gardening"]),
        (("ython",), []),  # not the middle of a word
        (('"',), []),  # quotes cannot break the query
        (("secret",), []),  # another user's link
    ],
)
def test_search_matches_word_starts_in_titles_and_urls(
    store: Store, words: tuple[str, ...], expected: list[str]
) -> None:
    links(store).upsert(link("alice", "https://example.com/gardening", "Gardening", at=1_000))
    links(store).upsert(link("alice", "https://example.com/learn", "Learning python", at=2_000))
    links(store).upsert(link("alice", "https://example.com/tips", "Python tips", at=3_000))
    links(store).upsert(link("bob", "https://bob.example/secret", "Secret python", at=4_000))
    assert [item.title for item in links(store).page(LinkQuery("alice", 10, words=words))] == expected


def test_search_follows_edits_and_deletes(store: Store) -> None:
    first, _ = links(store).upsert(link("alice", "https://example.com/a", "Old name", at=1_000))
    links(store).upsert(link("alice", "https://example.com/a", "New name", at=2_000))
    assert links(store).page(LinkQuery("alice", 10, words=("old",))) == []
    assert [item.id for item in links(store).page(LinkQuery("alice", 10, words=("new",)))] == [first.id]
    assert not links(store).delete("bob", first.id)
    assert links(store).delete("alice", first.id)
    assert links(store).page(LinkQuery("alice", 10, words=("new",))) == []


def test_the_list_query_is_bounded_by_an_index(query_plan: Callable[..., str]) -> None:
    query = "SELECT id FROM links WHERE owner = 'a' ORDER BY updated_at DESC, id DESC LIMIT 51"
    plan = query_plan(query, LINKS)
    assert "links_newest_first" in plan and "SCAN" not in plan, plan


def test_mongo_gets_the_indexes_the_links_need() -> None:
    assert_mongo_indexes(LINKS)


def test_an_edit_changes_url_and_title_in_one_step_and_never_onto_another_link(store: Store) -> None:
    first, _ = save_link(store, "alice", "https://example.com/a", "A")
    save_link(store, "alice", "https://example.com/b", "B")
    edited = edit_link(store, "alice", first.id, "example.org/moved", "")
    assert edited is not None and (edited.url, edited.title, edited.created_at) == (
        "https://example.org/moved",
        "",
        first.created_at,
    )
    assert get_link(store, "alice", first.id) is None and get_link(store, "alice", edited.id) == edited
    with pytest.raises(AlreadySaved):
        edit_link(store, "alice", edited.id, "https://example.com/b", "Onto B")
    assert get_link(store, "alice", edited.id) == edited  # unchanged
    retitled = edit_link(store, "alice", edited.id, "https://example.org/moved", "Moved")
    assert retitled is not None and retitled.id == edited.id and retitled.title == "Moved"
    assert edit_link(store, "bob", edited.id, "https://example.org/x", "") is None  # not bob's
    assert edit_link(store, "alice", "0" * 24, "https://example.org/x", "") is None
