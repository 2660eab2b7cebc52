"""Readify's data layer on both stores (SQLite, and MongoDB on mongomock): profiles, links, views, tags,
search, paging, the trash and its tombstones, sync; and the rules of tags.

``store`` runs each test on both.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from brubeck.cursors import BadCursor
from brubeck.timekeeping import curtime
from readify import links as readify_links
from readify import profiles
from readify.links import TRASH_MS, AlreadySaved
from readify.models import ReadifyLink, Tombstone
from readify.store import LINKS, PROFILES
from readify.store import readify_links as stored_links
from readify.store.schema import SCHEMA
from readify.tags import parse_tags, replace_tag
from shared.models import field_errors
from shared.store import Store
from shared.store.sqlite import SQLiteStore
from shared.store.sqlite.schema import ACCOUNTS
from tests.support.stores import assert_mongo_indexes

LEGACY = [ACCOUNTS.migrations[0], *SCHEMA.migrations[:3]]
"""The suite's one schema before each part versioned its own, as far as Readify goes: its versions 1 to 4."""


@pytest.fixture
def store(either_store: Store) -> Store:
    """Each test runs on both engines."""
    return either_store


def save(store: Store, url: str, title: str = "", tags: str = "", owner: str = "alice", **kwargs: Any) -> ReadifyLink:
    time.sleep(0.002)  # one link a millisecond: the lists' order is the order of saving
    link, created = readify_links.save_link(store, owner, url, title, tags, **kwargs)
    assert created
    return link


def put(store: Store, url: str, at: int, owner: str = "alice", **fields: object) -> ReadifyLink:
    """A link saved at ``at`` (ms), straight into the store."""
    link = ReadifyLink.model_validate(
        {"id": ReadifyLink.new_id(), "owner": owner, "url": url, "created_at": at, "updated_at": at, **fields}
    )
    assert stored_links(store).add(link)
    return link


def titles(page: readify_links.Paged[ReadifyLink]) -> list[str]:
    return [link.title for link in page.items]


def listed(store: Store, owner: str = "alice", **kwargs: object) -> list[str]:
    return titles(readify_links.list_links(store, owner, limit=100, **kwargs))  # type: ignore[arg-type]


# -- tags ------------------------------------------------------------------------------------------------


def test_tags_may_be_words_of_any_script_and_emoji() -> None:
    assert parse_tags("Книги, 読書 🎉 👩\u200d💻") == ["книги", "読書", "🎉", "👩\u200d💻"]


def test_tags_are_split_on_commas_and_spaces_trimmed_lowered_and_deduplicated() -> None:
    assert parse_tags(" Python, web  news,python ,,Web.Dev   under_score ") == [
        "python",
        "web",
        "news",
        "web.dev",
        "under_score",
    ]
    assert parse_tags("") == [] and parse_tags(["A", " b ", "a"]) == ["a", "b"]
    assert parse_tags("café ΑΒΓ") == ["café", "αβγ"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (" ".join(f"t{n}" for n in range(21)), "Use at most 20 tags (this has 21)."),
        ("x" * 51, f"The tag “{'x' * 20}…” is longer than 50 characters."),
        ("a/b", "The tag “a/b” has / in it: use letters, digits, emoji, - _ and . only."),
        ("ok <b>", "The tag “<b>” has < > in it: use letters, digits, emoji, - _ and . only."),
    ],
)
def test_bad_tags_are_refused_with_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ReadifyLink(id="x", owner="alice", url="https://example.com/", tags=text)
    assert field_errors(refused.value) == {"tags": message}


def test_twenty_tags_of_fifty_characters_are_fine() -> None:
    tags = [f"{n:02}" + "x" * 48 for n in range(20)]
    assert parse_tags(", ".join(tags)) == tags


def test_replacing_a_tag_keeps_its_place_and_merges_duplicates() -> None:
    assert replace_tag(["a", "b", "c"], "b", "z") == ["a", "z", "c"]
    assert replace_tag(["a", "b", "c"], "a", "c") == ["c", "b"]
    assert replace_tag(["a", "b"], "a", None) == ["b"]


# -- saving and editing ----------------------------------------------------------------------------------


def test_a_link_is_saved_with_its_fields_and_found_by_url(store: Store) -> None:
    link = save(store, "Example.com/Read", "  A   title ", "b, a", private=True)
    assert (link.url, link.title, link.tags, link.private, link.liked, link.archived) == (
        "https://example.com/Read",
        "A title",
        ["b", "a"],
        True,
        False,
        False,
    )
    assert readify_links.get_link(store, "alice", link.id) == link
    assert readify_links.find_saved(store, "alice", "https://EXAMPLE.com/Read") == link
    assert readify_links.find_saved(store, "bob", "https://example.com/Read") is None
    assert readify_links.find_saved(store, "alice", "https://example.com/other") is None
    with pytest.raises(ValueError, match="only http"):
        readify_links.find_saved(store, "alice", "ftp://example.com/")
    assert stored_links(store).count("alice") == 1


def test_saving_a_saved_url_again_updates_that_link(store: Store) -> None:
    first = save(store, "https://example.com/a", "First", "one, two")
    readify_links.apply_action(store, "alice", first.id, "archive")
    readify_links.apply_action(store, "alice", first.id, "delete")
    again, created = readify_links.save_link(store, "alice", "example.com/a", "", "two three", private=True)
    assert not created and again.id == first.id
    assert (again.title, again.tags, again.private, again.archived, again.in_trash) == (
        "First",
        ["one", "two", "three"],
        True,
        False,
        False,
    )
    renamed, _ = readify_links.save_link(store, "alice", "example.com/a", "Second")
    assert renamed.title == "Second" and renamed.updated_at >= again.updated_at
    assert stored_links(store).count("alice") == 1


def test_saving_again_refuses_more_than_twenty_tags_in_all(store: Store) -> None:
    save(store, "https://example.com/a", tags=" ".join(f"a{n}" for n in range(15)))
    with pytest.raises(ValidationError):
        readify_links.save_link(store, "alice", "https://example.com/a", tags=" ".join(f"b{n}" for n in range(6)))
    [kept] = readify_links.list_links(store, "alice", limit=10).items
    assert len(kept.tags) == 15


def test_bad_fields_save_nothing(store: Store) -> None:
    for url, title, tags in [("javascript:alert(1)", "", ""), ("https://e.com/", "x" * 501, ""), ("e.com", "", "a/b")]:
        with pytest.raises(ValidationError):
            readify_links.save_link(store, "alice", url, title, tags)
    assert stored_links(store).count("alice") == 0


def test_edit_changes_the_fields_and_only_the_owners_link(store: Store) -> None:
    link = save(store, "https://example.com/a", "Old", "x")
    assert readify_links.edit_link(store, "bob", link.id, "https://bob.example/", "Bob's", "", False, "") is None
    assert readify_links.get_link(store, "alice", link.id) == link
    edited = readify_links.edit_link(store, "alice", link.id, "example.org/b", "New", "y, z", True, "")
    assert edited is not None
    assert (edited.url, edited.title, edited.tags, edited.private) == ("https://example.org/b", "New", ["y", "z"], True)
    assert edited.created_at == link.created_at and edited.updated_at >= link.updated_at
    assert readify_links.find_saved(store, "alice", "https://example.com/a") is None


def test_edit_onto_another_saved_url_is_refused_and_changes_nothing(store: Store) -> None:
    first = save(store, "https://example.com/a", "A")
    second = save(store, "https://example.com/b", "B")
    with pytest.raises(AlreadySaved) as refused:
        readify_links.edit_link(store, "alice", second.id, "https://example.com/a", "B2", "", False, "")
    assert refused.value.link == first
    assert readify_links.get_link(store, "alice", second.id) == second
    with pytest.raises(ValidationError):
        readify_links.edit_link(store, "alice", second.id, "https://example.com/b", "B", "bad/tag", False, "")
    assert readify_links.get_link(store, "alice", second.id) == second


def test_change_sets_only_the_fields_given_in_one_write_and_only_out_of_the_trash(store: Store) -> None:
    link = save(store, "https://example.com/a", "Old", "x, y")
    assert readify_links.change_link(store, "bob", link.id, {"liked": True}) is None
    changed = readify_links.change_link(store, "alice", link.id, {"liked": True, "title": " New  one ", "tags": ["Z"]})
    assert changed is not None
    assert (changed.liked, changed.title, changed.tags, changed.url) == (True, "New one", ["z"], link.url)
    assert (changed.archived, changed.private) == (False, False) and changed.updated_at >= link.updated_at
    assert readify_links.get_link(store, "alice", link.id) == changed
    for bad in ({"tags": ["a/b"]}, {"url": "ftp://example.com/"}, {"title": "x" * 501}):
        with pytest.raises(ValidationError):
            readify_links.change_link(store, "alice", link.id, {"liked": False, **bad})
    with pytest.raises(ValueError, match="owner"):
        readify_links.change_link(store, "alice", link.id, {"owner": "bob"})
    other = save(store, "https://example.com/b", "B")
    with pytest.raises(AlreadySaved):
        readify_links.change_link(store, "alice", other.id, {"url": "https://example.com/a", "liked": True})
    assert readify_links.get_link(store, "alice", link.id) == changed  # nothing changed by the refusals
    assert readify_links.get_link(store, "alice", other.id) == other
    readify_links.apply_action(store, "alice", link.id, "delete")
    assert readify_links.change_link(store, "alice", link.id, {"liked": False}) is None
    assert readify_links.change_link(store, "alice", link.id, {"liked": False}, in_trash=True) is not None


# -- actions, views, the trash ---------------------------------------------------------------------------


def test_actions_set_flags_and_views_list_what_they_should(store: Store) -> None:
    a, b, c = (save(store, f"https://example.com/{n}", n) for n in "abc")
    assert readify_links.apply_action(store, "alice", a.id, "like").liked  # type: ignore[union-attr]
    readify_links.apply_action(store, "alice", b.id, "archive")
    readify_links.apply_action(store, "alice", c.id, "delete")
    assert listed(store, view="unread") == ["a"]
    assert listed(store, view="liked") == ["a"]
    assert listed(store, view="archived") == ["b"]
    assert listed(store, view="trash") == ["c"]
    assert listed(store, view="all") == ["b", "a"]
    readify_links.apply_action(store, "alice", a.id, "unlike")
    readify_links.apply_action(store, "alice", b.id, "unarchive")
    restored = readify_links.apply_action(store, "alice", c.id, "undelete")
    assert restored is not None and not restored.in_trash and restored.updated_at >= c.updated_at
    assert listed(store, view="unread") == ["c", "b", "a"] and listed(store, view="liked") == []


def test_actions_need_the_owners_link_out_of_the_trash(store: Store) -> None:
    link = save(store, "https://example.com/a", "A")
    for action in readify_links.ALL_ACTIONS:
        assert readify_links.apply_action(store, "bob", link.id, action) is None
        assert readify_links.apply_action(store, "alice", "0" * 24, action) is None
    assert readify_links.get_link(store, "alice", link.id) == link
    assert readify_links.apply_action(store, "alice", link.id, "undelete") is None  # not in the trash
    readify_links.apply_action(store, "alice", link.id, "delete")
    assert readify_links.apply_action(store, "alice", link.id, "like") is None
    with pytest.raises(ValueError):
        readify_links.apply_action(store, "alice", link.id, "explode")


def test_the_trash_keeps_thirty_days_then_deleting_purges_with_tombstones(store: Store) -> None:
    now = curtime()
    old = put(store, "https://example.com/old", now - 40 * 86_400_000, title="old", deleted_at=now - TRASH_MS - 1000)
    recent = put(store, "https://example.com/recent", now - 1000, title="recent", deleted_at=now - 1000)
    assert listed(store, view="trash") == ["recent"]  # the old one is past its time already
    assert readify_links.apply_action(store, "alice", old.id, "undelete") is None
    fresh = save(store, "https://example.com/fresh", "fresh")
    readify_links.apply_action(store, "alice", fresh.id, "delete")  # deleting purges the expired
    assert readify_links.get_link(store, "alice", old.id) is None
    assert readify_links.get_link(store, "alice", recent.id) is not None
    gone = readify_links.changes_since(store, "alice", now - 1, limit=10).items
    assert {item.id for item in gone} == {old.id, fresh.id}
    assert all(isinstance(item, Tombstone) for item in gone)
    assert readify_links.purge_trash(store, "alice") == 0


def test_deleting_for_good_leaves_a_tombstone_for_the_owner_only(store: Store) -> None:
    link = save(store, "https://example.com/a", "A")
    assert not readify_links.delete_for_good(store, "bob", link.id)
    assert readify_links.delete_for_good(store, "alice", link.id)
    assert readify_links.get_link(store, "alice", link.id) is None
    [stone] = readify_links.changes_since(store, "alice", 0, limit=10).items
    assert isinstance(stone, Tombstone) and stone.to_api() == {
        "id": link.id,
        "deleted": True,
        "updated_at": stone.updated_at,
    }
    assert readify_links.changes_since(store, "bob", 0, limit=10).items == []
    assert save(store, "https://example.com/a", "A again").id != link.id  # the URL can be saved anew


def test_changes_since_page_through_links_and_deletions_in_order(store: Store) -> None:
    for n in range(12):
        put(store, f"https://example.com/{n}", 1_000 + n, title=f"l{n}", deleted_at=(1_000 + n) if n % 3 == 0 else None)
    for n in range(12, 16):
        link = put(store, f"https://example.com/{n}", 1_000 + n)
        stored_links(store).remove("alice", link.id, 1_000 + n)
    put(store, "https://bob.example/", 1_005, owner="bob")
    seen: list[tuple[int, str, bool]] = []
    cursor = None
    while True:
        page = readify_links.changes_since(store, "alice", 1_003, limit=3, cursor=cursor)
        seen += [(item.updated_at, item.id, isinstance(item, Tombstone)) for item in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [at for at, _, _ in seen] == list(range(1_015, 1_003, -1))
    assert [gone for _, _, gone in seen] == [True] * 4 + [n % 3 == 0 for n in range(11, 3, -1)]
    assert len({link_id for _, link_id, _ in seen}) == len(seen)


# -- lists: paging, tags, search, the profile ------------------------------------------------------------


def test_pages_are_newest_saved_first_without_gaps_or_repeats(store: Store) -> None:
    made = [put(store, f"https://example.com/{n}", 1_000 + n // 3, title=f"{n}") for n in range(25)]
    put(store, "https://bob.example/", 5_000, owner="bob")
    seen: list[str] = []
    cursor = None
    while True:
        page = readify_links.list_links(store, "alice", limit=7, cursor=cursor, view="unread")
        seen += [link.id for link in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    expected = [link.id for link in sorted(made, key=lambda x: (x.created_at, x.id), reverse=True)]
    assert seen == expected
    readify_links.apply_action(store, "alice", expected[-1], "like")  # a change does not move it up
    assert readify_links.list_links(store, "alice", limit=30).items[-1].id == expected[-1]
    with pytest.raises(BadCursor):
        readify_links.list_links(store, "alice", limit=7, cursor="not-a-cursor")


def test_a_tag_filter_keeps_links_with_every_tag(store: Store) -> None:
    save(store, "https://example.com/1", "py web", "python, web")
    save(store, "https://example.com/2", "py", "python")
    save(store, "https://example.com/3", "web", "web")
    save(store, "https://bob.example/", "bob's", "python, web", owner="bob")
    trashed = save(store, "https://example.com/4", "trashed", "python, web")
    readify_links.apply_action(store, "alice", trashed.id, "delete")
    assert listed(store, tags=("python",)) == ["py", "py web"]
    assert listed(store, tags=("python", "web")) == ["py web"]
    assert listed(store, tags=("python", "nothing")) == []
    assert listed(store, view="trash", tags=("web",)) == ["trashed"]
    assert readify_links.filter_tags(["Python", " web "]) == ("python", "web")
    with pytest.raises(ValueError):
        readify_links.filter_tags(["a/b"])


def test_tag_filters_page_through_every_match_in_order_whichever_tag_is_rarer(store: Store) -> None:
    made = []
    for n in range(40):  # "common" on most links, "rare" on every third, "odd" on odd ones; equal times in threes
        tags = [t for t, on in (("common", n % 5), ("rare", n % 3 == 0), ("odd", n % 2)) if on]
        made.append(put(store, f"https://example.com/{n}", 1_000 + n // 3, tags=tags, title=f"{n}", archived=n == 9))
    put(store, "https://bob.example/", 5_000, owner="bob", tags=["common", "rare"])
    newest = sorted(made, key=lambda x: (x.created_at, x.id), reverse=True)
    for tags in (("common", "rare"), ("rare", "common"), ("odd", "rare", "common"), ("common",)):
        for view in ("all", "unread"):
            seen: list[str] = []
            cursor = None
            while True:
                page = readify_links.list_links(store, "alice", limit=4, cursor=cursor, view=view, tags=tags)
                seen += [link.id for link in page.items]
                if page.next_cursor is None:
                    break
                cursor = page.next_cursor
            wanted = [x.id for x in newest if set(tags) <= set(x.tags) and (view == "all" or not x.archived)]
            assert seen == wanted and wanted, (tags, view)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("python", ["Learning", "Python tips"]),  # a title, or a tag
        ("PYTH", ["Learning", "Python tips"]),
        ("garden", ["Gardening"]),  # the URL
        ("tips python", ["Python tips"]),
        ("ython", []),
        ('"', []),
        ("secret", []),  # bob's
    ],
)
def test_search_matches_word_starts_in_titles_urls_and_tags(store: Store, search: str, expected: list[str]) -> None:
    save(store, "https://example.com/garden", "Gardening", "outdoors")
    save(store, "https://example.com/learn", "Learning", "python")
    save(store, "https://example.com/tips", "Python tips", "howto")
    save(store, "https://bob.example/secret", "Secret python", owner="bob")
    assert sorted(listed(store, search=search)) == expected


def test_search_follows_edits_of_titles_and_tags(store: Store) -> None:
    link = save(store, "https://example.com/a", "Old name", "first")
    readify_links.edit_link(store, "alice", link.id, link.url, "New name", "second", False, "")
    assert listed(store, search="old") == listed(store, search="first") == []
    assert listed(store, search="new second") == ["New name"]


def test_notes_keep_their_line_breaks_and_are_searched_like_titles(store: Store) -> None:
    notes = "Read the second part\r\n\u200bagain  \n\n— later, with coffee  "
    link, _ = readify_links.save_link(store, "alice", "https://example.com/a", "Title", description=notes)
    assert link.description == "Read the second part\nagain  \n\n— later, with coffee"
    save(store, "https://bob.example/", "Bob's", owner="bob", description="coffee")
    assert listed(store, search="coff") == listed(store, search="second again") == ["Title"]
    assert listed(store, search="econd") == listed(store, owner="bob", search="again") == []
    readify_links.edit_link(store, "alice", link.id, link.url, "Title", "", False, "Tea instead")
    assert listed(store, search="coffee") == [] and listed(store, search="tea") == ["Title"]
    kept, _ = readify_links.save_link(store, "alice", "https://example.com/a", "Again")  # no notes given: kept
    assert kept.description == "Tea instead"
    replaced, _ = readify_links.save_link(store, "alice", "https://example.com/a", description="New notes")
    assert (replaced.title, replaced.description) == ("Again", "New notes")
    with pytest.raises(ValidationError) as refused:
        readify_links.save_link(store, "alice", "https://example.com/b", description="x" * 10_001)
    assert field_errors(refused.value) == {"description": "Use at most 10,000 characters."}
    assert stored_links(store).count("alice") == 1


def test_the_page_fetcher_never_replaces_the_readers_notes(store: Store) -> None:
    mine = save(store, "https://example.com/a", description="Mine")
    bare = save(store, "https://example.com/b")
    fetched = readify_links.page_info_fetched
    assert fetched(store, "alice", mine.id, mine.url, "Page", "The page's", replace=True).description == "Mine"
    assert fetched(store, "alice", bare.id, bare.url, "Page", "The page's", replace=False).description == "The page's"
    assert fetched(store, "alice", mine.id, mine.url, "", "Other", replace=True) is None  # nothing to give


def test_the_profile_lists_links_neither_private_nor_in_the_trash(store: Store) -> None:
    save(store, "https://example.com/public", "public", "news")
    save(store, "https://example.com/private", "private", "news", private=True)
    archived = save(store, "https://example.com/archived", "archived")
    readify_links.apply_action(store, "alice", archived.id, "archive")
    trashed = save(store, "https://example.com/trashed", "trashed", "news")
    readify_links.apply_action(store, "alice", trashed.id, "delete")
    assert titles(readify_links.public_links(store, "alice", limit=10)) == ["archived", "public"]
    assert titles(readify_links.public_links(store, "alice", limit=10, tags=("news",))) == ["public"]
    assert titles(readify_links.public_links(store, "bob", limit=10)) == []
    page = readify_links.public_links(store, "alice", limit=1)
    assert titles(page) == ["archived"] and page.next_cursor
    assert titles(readify_links.public_links(store, "alice", limit=1, cursor=page.next_cursor)) == ["public"]


# -- the owner's tags ------------------------------------------------------------------------------------


def test_tag_counts_rename_merge_and_remove(store: Store) -> None:
    a = save(store, "https://example.com/a", "a", "py, web")
    b = save(store, "https://example.com/b", "b", "python, web")
    save(store, "https://example.com/c", "c", "web")
    trashed = save(store, "https://example.com/d", "d", "web, gone")
    readify_links.apply_action(store, "alice", trashed.id, "delete")
    save(store, "https://bob.example/", "bob", "py", owner="bob")
    assert readify_links.tag_counts(store, "alice") == [("py", 1), ("python", 1), ("web", 3)]

    assert readify_links.rename_tag(store, "alice", "Py", "python") == 1  # merged
    assert readify_links.tag_counts(store, "alice") == [("python", 2), ("web", 3)]
    assert readify_links.get_link(store, "alice", a.id).tags == ["python", "web"]  # type: ignore[union-attr]
    assert readify_links.tag_counts(store, "bob") == [("py", 1)]
    assert listed(store, tags=("python",)) == ["b", "a"]
    assert listed(store, tags=("py",)) == []
    assert listed(store, search="py") == ["b", "a"]

    assert readify_links.rename_tag(store, "alice", "web", "Internet") == 4  # the trash's link too
    assert readify_links.get_link(store, "alice", trashed.id).tags == ["internet", "gone"]  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="has / in it"):
        readify_links.rename_tag(store, "alice", "python", "a/b")
    assert readify_links.remove_tag(store, "alice", "internet") == 4
    assert readify_links.tag_counts(store, "alice") == [("python", 2)]
    changed = readify_links.get_link(store, "alice", b.id)
    assert changed is not None and changed.tags == ["python"] and changed.updated_at >= b.updated_at
    assert readify_links.remove_tag(store, "alice", "nothing") == 0


# -- profiles --------------------------------------------------------------------------------------------


def test_a_profile_is_saved_whole_and_read_back(store: Store) -> None:
    blank = profiles.get_profile(store, "alice")
    assert (blank.display_name, blank.website, blank.email) == ("", "", None)
    fields = {
        "display_name": " Alice A. ",
        "bio": "Reads a lot.",
        "location": "Lisbon",
        "website": "alice.example",
        "email": "Alice@Example.com",
        "avatar_url": "",
    }
    saved = profiles.save_profile(store, "alice", fields)
    assert profiles.get_profile(store, "alice") == saved
    assert (saved.display_name, saved.website, saved.email) == (
        "Alice A.",
        "https://alice.example/",
        "alice@example.com",
    )
    again = profiles.save_profile(store, "alice", {"display_name": "A"})
    assert (again.bio, again.created_at) == ("", saved.created_at)
    assert profiles.get_profile(store, "bob").display_name == ""


def test_the_setting_for_new_links_is_on_until_turned_off_and_kept_apart_from_the_profile(store: Store) -> None:
    assert profiles.get_profile(store, "alice").new_links_private is True  # a new account's, saved or not
    off = profiles.set_new_links_private(store, "alice", False)
    assert profiles.get_profile(store, "alice") == off and off.new_links_private is False
    saved = profiles.save_profile(store, "alice", {"display_name": "Alice"})
    assert (saved.new_links_private, saved.created_at) == (False, off.created_at)
    on = profiles.set_new_links_private(store, "alice", True)
    assert (on.display_name, on.new_links_private) == ("Alice", True)
    assert profiles.get_profile(store, "bob").new_links_private is True


def test_a_new_link_follows_the_default_only_when_no_flag_is_given(store: Store) -> None:
    assert save(store, "https://example.com/a", private=None, default_private=True).private is True
    assert save(store, "https://example.com/b", private=False, default_private=True).private is False
    assert save(store, "https://example.com/c", private=None).private is False
    again, _ = readify_links.save_link(store, "alice", "https://example.com/b", private=None, default_private=True)
    assert again.private is False  # a saved link keeps its own


def test_profiles_saved_before_the_setting_get_it_on(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    SQLiteStore(path).close()
    with sqlite3.connect(path) as connection:
        for script in SCHEMA.migrations[:5]:
            connection.executescript(script)
        connection.execute("INSERT INTO schema_versions VALUES ('readify', 5)")
        connection.execute("INSERT INTO profiles VALUES ('alice', 'alice', 'Alice', '', '', '', NULL, '', 1, 2)")
    store = SQLiteStore(path)
    try:
        profile = profiles.get_profile(store, "alice")
        assert (profile.display_name, profile.new_links_private, profile.created_at) == ("Alice", True, 1)
    finally:
        store.close()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "x" * 81, "Use at most 80 characters."),
        ("bio", "x" * 1001, "Use at most 1,000 characters."),
        ("location", "x" * 101, "Use at most 100 characters."),
        ("website", "javascript:alert(1)", "Only http:// and https:// links can be saved."),
        ("avatar_url", "http://pics.example/me.png", "Use an https:// address for the picture."),
        ("email", "not an email", "That does not look like an email address."),
    ],
)
def test_bad_profile_fields_are_refused_and_nothing_is_saved(
    store: Store, field: str, value: str, message: str
) -> None:
    profiles.save_profile(store, "alice", {"display_name": "Kept"})
    with pytest.raises(ValidationError) as refused:
        profiles.save_profile(store, "alice", {"display_name": "New", field: value})
    assert field_errors(refused.value) == {field: message}
    assert profiles.get_profile(store, "alice").display_name == "Kept"


def test_the_picture_is_the_avatar_url_else_the_gravatar_of_the_email() -> None:
    profile = profiles.Profile(id="alice", owner="alice", email="Alice@Example.com")
    digest = hashlib.sha256(b"alice@example.com").hexdigest()
    assert profiles.avatar_url(profile, 80) == f"https://www.gravatar.com/avatar/{digest}?s=80&d=identicon"
    assert profiles.avatar_url(profile.model_copy(update={"email": None})).startswith(profiles.GRAVATAR)
    chosen = profile.model_copy(update={"avatar_url": "https://pics.example/me.png"})
    assert profiles.avatar_url(chosen) == "https://pics.example/me.png"


# -- SQLite: the schema and its indexes ------------------------------------------------------------------


def test_a_version_1_file_is_migrated_and_keeps_its_data(tmp_path: Path) -> None:
    path = tmp_path / "suite.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript(LEGACY[0])
        connection.execute("INSERT INTO tokens VALUES ('t', 'alice', 'laptop', 'abc', 1, NULL)")
        connection.execute("PRAGMA user_version = 1")
    store = SQLiteStore(path)
    try:
        assert [token.name for token in store.tokens.for_owner("alice")] == ["laptop"]
        assert save(store, "https://example.com/", "works").title == "works"
    finally:
        store.close()
    with sqlite3.connect(path) as connection:
        assert dict(connection.execute("SELECT name, version FROM schema_versions"))["readify"] == len(
            SCHEMA.migrations
        )


def legacy_file(folder: Path, version: int) -> Path:
    """A file of the suite's one schema at ``version`` (2 or 3), with one link of alice's tagged a and b."""
    path = folder / "suite.sqlite3"
    with sqlite3.connect(path) as connection:
        for script in LEGACY[:version]:
            connection.executescript(script)
        connection.execute(
            "INSERT INTO readify_links VALUES ('l1', 'alice', 'https://example.com/', 'old', '[\"a\", \"b\"]',"
            " 0, 0, 0, NULL, 7, 7)"
        )
        connection.execute(f"PRAGMA user_version = {version}")
    return path


def test_a_version_2_file_gets_the_times_of_its_tags(tmp_path: Path) -> None:
    path = legacy_file(tmp_path, 2)
    store = SQLiteStore(path)
    try:
        newer = put(store, "https://example.com/new", 9, tags=["b"])
        assert [x.id for x in readify_links.list_links(store, "alice", limit=5, tags=("b",)).items] == [newer.id, "l1"]
        assert [x.title for x in readify_links.list_links(store, "alice", limit=5, tags=("b", "a")).items] == ["old"]
    finally:
        store.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT DISTINCT created_at FROM readify_tags WHERE link_id = 'l1'").fetchall() == [
            (7,)
        ]


def test_tag_counts_are_kept_up_to_date_and_a_version_3_file_gets_them(tmp_path: Path) -> None:
    path = legacy_file(tmp_path, 3)
    store = SQLiteStore(path)
    try:
        assert readify_links.tag_counts(store, "alice") == [("a", 1), ("b", 1)]
        link = save(store, "https://example.com/2", "two", "b c")
        save(store, "https://example.com/3", "three", "c", owner="bob")
        readify_links.apply_action(store, "alice", "l1", "delete")  # the trash is not counted
        assert readify_links.tag_counts(store, "alice") == [("b", 1), ("c", 1)]
        readify_links.rename_tag(store, "alice", "c", "b")
        readify_links.apply_action(store, "alice", "l1", "undelete")
        assert readify_links.tag_counts(store, "alice") == [("a", 1), ("b", 2)]
        readify_links.delete_for_good(store, "alice", link.id)
        assert readify_links.tag_counts(store, "alice") == [("a", 1), ("b", 1)]
        assert readify_links.tag_counts(store, "bob") == [("c", 1)]
    finally:
        store.close()
    with sqlite3.connect(path) as connection:
        counted = connection.execute("SELECT owner, tag, links FROM readify_tag_counts ORDER BY 1, 2").fetchall()
        grouped = "SELECT owner, tag, count(*) FROM readify_tags WHERE kept = 1 GROUP BY owner, tag ORDER BY 1, 2"
        assert counted == connection.execute(grouped).fetchall()


KEPT = "owner = 'a' AND deleted_at IS NULL"
NEWEST = "ORDER BY created_at DESC, id DESC LIMIT 51"


@pytest.mark.parametrize(
    ("query", "index"),
    [
        (f"SELECT id FROM readify_links WHERE {KEPT} AND archived = 0 {NEWEST}", "readify_kept_by_archived"),
        (f"SELECT id FROM readify_links WHERE {KEPT} AND liked = 1 {NEWEST}", "readify_kept_by_liked"),
        (f"SELECT id FROM readify_links WHERE {KEPT} AND private = 0 {NEWEST}", "readify_kept_by_private"),
        (f"SELECT id FROM readify_links WHERE {KEPT} {NEWEST}", "readify_kept"),
        (
            f"SELECT id FROM readify_links WHERE owner = 'a' AND deleted_at IS NOT NULL AND +deleted_at > 5 {NEWEST}",
            "readify_trash",
        ),
        (
            "SELECT id FROM readify_links WHERE owner = 'a' AND deleted_at IS NOT NULL AND deleted_at < 5",
            "readify_trash_by_time",
        ),
        (
            "SELECT id FROM readify_links WHERE owner = 'a' AND updated_at > 5 ORDER BY updated_at DESC, id DESC",
            "readify_changed",
        ),
        ("SELECT tag, links FROM readify_tag_counts WHERE owner = 'a' ORDER BY tag", "PRIMARY KEY"),
        (
            "SELECT link_id FROM readify_tags WHERE owner = 'a' AND kept = 1 AND tag = 't'",
            "COVERING INDEX readify_tags_newest_first",
        ),
        (  # a tag filter: the rarest tag's links in the list's order, each checked for the other tag
            "SELECT l.id FROM readify_tags t CROSS JOIN readify_links l WHERE t.owner = 'a' AND t.kept = 1"
            " AND t.tag = 't' AND (t.created_at, t.link_id) < (5, 'x') AND EXISTS (SELECT 1 FROM readify_tags x"
            " INDEXED BY sqlite_autoindex_readify_tags_1"
            " WHERE x.owner = 'a' AND x.kept = 1 AND x.tag = 'u' AND x.link_id = t.link_id) AND l.id = t.link_id"
            " AND l.owner = 'a' AND l.deleted_at IS NULL AND l.archived = 0"
            " ORDER BY t.created_at DESC, t.link_id DESC LIMIT 51",
            "readify_tags_newest_first (owner=? AND kept=? AND tag=? AND (created_at,link_id)<(?,?))",
        ),
        ("SELECT id FROM readify_tombstones WHERE owner = 'a' AND updated_at > 5", "readify_tombstones_changed"),
        ("SELECT id FROM readify_links WHERE owner = 'a' AND url = 'u'", "sqlite_autoindex_readify_links_2"),
    ],
)
def test_readify_queries_are_bounded_by_an_index(query_plan: Callable[..., str], query: str, index: str) -> None:
    plan = query_plan(query, LINKS, PROFILES)
    assert index in plan and "SCAN" not in plan and "TEMP B-TREE" not in plan, plan  # in the order of an index


def test_mongo_gets_the_indexes_readifys_queries_need() -> None:
    assert_mongo_indexes(LINKS)


def test_saved_among_says_which_urls_the_owner_has_out_of_the_trash(store: Store) -> None:
    for url in ("https://example.com/a", "https://example.com/b", "https://example.com/gone"):
        readify_links.save_link(store, "bob", url)
    readify_links.save_link(store, "carol", "https://example.com/c")
    gone = readify_links.find_saved(store, "bob", "https://example.com/gone")
    assert gone is not None
    readify_links.apply_action(store, "bob", gone.id, "delete")
    asked = ["https://example.com/a", "https://example.com/c", "https://example.com/gone", "https://example.com/b"]
    assert readify_links.saved_among(store, "bob", asked) == {"https://example.com/a", "https://example.com/b"}
    assert readify_links.saved_among(store, "bob", []) == set()
