"""The queryset contract, run here against DictQueryset (and against RedisQueryset in test_queryset_redis.py).

``QuerysetContract`` holds the tests; a subclass named ``Test...`` supplies the
``queryset`` fixture.
"""

import json
import uuid
from urllib.parse import quote

import pytest
from pydantic import Field

from brubeck import queryset as queryset_module
from brubeck.models import BrubeckModel
from brubeck.queryset import AbstractQueryset, DictQueryset, make_cursor, parse_cursor

OK, CREATED, UPDATED, NOTFOUND = (
    AbstractQueryset.MSG_OK,
    AbstractQueryset.MSG_CREATED,
    AbstractQueryset.MSG_UPDATED,
    AbstractQueryset.MSG_NOTFOUND,
)


class Note(BrubeckModel):
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    text: str = ""


def note(text="", note_id=None):
    return Note(text=text) if note_id is None else Note(id=note_id, text=text)


def ids_of(items):
    return [item["id"] for item in items]


def walk(qs, limit, after=None):
    """Every page of ``qs`` after the cursor ``after`` (from the start without one), as lists of ids."""
    pages = []
    while True:
        items, after = qs.read_page(limit, after=after)
        pages.append(ids_of(items))
        if after is None:
            return pages


class QuerysetContract:
    @pytest.fixture
    def clock(self, monkeypatch):
        """Set the time writes record: ``clock.now = 1000``."""

        class Clock:
            now = 1_000

        monkeypatch.setattr(queryset_module, "curtime", lambda: Clock.now)
        return Clock

    # -- writes are upserts ------------------------------------------------------------------
    def test_create_then_replace(self, queryset):
        first = note("first")
        status, datum = queryset.create_one(first)
        assert status == CREATED
        assert datum == {"id": str(first.id), "text": "first"}
        status, datum = queryset.create_one(note("second", first.id))
        assert (status, datum) == (UPDATED, {"id": str(first.id), "text": "second"})
        assert queryset.read_one(first.id) == (OK, {"id": str(first.id), "text": "second"})

    def test_stored_items_are_json_ready_dicts(self, queryset):
        item = note('é "quoted"')
        queryset.create_one(item)
        _, datum = queryset.read_one(str(item.id))
        assert json.loads(json.dumps(datum)) == item.model_dump(mode="json") == datum

    def test_create_many_reports_each_item(self, queryset):
        old = note("old")
        queryset.create_one(old)
        new = note("new")
        results = queryset.create_many([note("old, again", old.id), new])
        assert results == [
            (UPDATED, {"id": str(old.id), "text": "old, again"}),
            (CREATED, {"id": str(new.id), "text": "new"}),
        ]

    def test_the_same_id_twice_in_one_batch_is_created_then_updated(self, queryset):
        item_id = uuid.uuid4()
        results = queryset.create_many([note("a", item_id), note("b", item_id)])
        assert [status for status, _ in results] == [CREATED, UPDATED]
        assert queryset.read_one(item_id) == (OK, {"id": str(item_id), "text": "b"})
        assert ids_of(queryset.read_page(10)[0]) == [str(item_id)]

    def test_update_is_an_upsert_too(self, queryset):
        item = note("x")
        assert queryset.update_one(item)[0] == CREATED
        assert queryset.update_one(note("y", item.id))[0] == UPDATED
        assert [s for s, _ in queryset.update_many([note("z", item.id), note("w")])] == [UPDATED, CREATED]

    # -- reads -----------------------------------------------------------------------------------
    def test_a_missing_item_is_not_found_not_an_exception(self, queryset):
        missing = str(uuid.uuid4())
        assert queryset.read_one(missing) == (NOTFOUND, missing)
        assert queryset.destroy_one(missing) == (NOTFOUND, missing)

    def test_read_many_keeps_the_order_of_the_ids(self, queryset):
        a, b = note("a"), note("b")
        queryset.create_many([a, b])
        missing = str(uuid.uuid4())
        assert queryset.read_many([b.id, missing, a.id]) == [
            (OK, {"id": str(b.id), "text": "b"}),
            (NOTFOUND, missing),
            (OK, {"id": str(a.id), "text": "a"}),
        ]
        assert queryset.read_many([]) == []

    def test_read_all(self, queryset):
        assert queryset.read_all() == []
        items = [note(str(n)) for n in range(5)]
        queryset.create_many(items[:3])
        queryset.create_one(items[3])
        queryset.create_one(items[4])
        queryset.destroy_one(items[1].id)
        assert sorted(queryset.read_all(), key=lambda r: r[1]["text"]) == [
            (OK, item.model_dump(mode="json")) for n, item in enumerate(items) if n != 1
        ]

    # -- deletes ---------------------------------------------------------------------------------
    def test_destroy(self, queryset):
        a, b = note("a"), note("b")
        queryset.create_many([a, b])
        assert queryset.destroy_one(a.id) == (OK, {"id": str(a.id), "text": "a"})
        assert queryset.read_one(a.id) == (NOTFOUND, str(a.id))
        missing = str(uuid.uuid4())
        assert queryset.destroy_many([b.id, missing, b.id]) == [
            (OK, {"id": str(b.id), "text": "b"}),
            (NOTFOUND, missing),
            (NOTFOUND, str(b.id)),
        ]
        assert queryset.read_page(10) == ([], None)
        assert queryset.destroy_many([]) == []

    # -- dispatchers -------------------------------------------------------------------------------
    def test_dispatchers_pick_the_one_or_many_form(self, queryset):
        a, b = note("a"), note("b")
        assert queryset.create(a) == (CREATED, a.model_dump(mode="json"))
        assert queryset.create([b]) == [(CREATED, b.model_dump(mode="json"))]
        assert queryset.update(note("a2", a.id)) == (UPDATED, {"id": str(a.id), "text": "a2"})
        assert queryset.update([note("b2", b.id)]) == [(UPDATED, {"id": str(b.id), "text": "b2"})]
        assert queryset.read(str(a.id)) == (OK, {"id": str(a.id), "text": "a2"})
        assert queryset.read([str(b.id)]) == [(OK, {"id": str(b.id), "text": "b2"})]
        for nothing in (None, "", []):
            assert sorted(d["text"] for _, d in queryset.read(nothing)) == ["a2", "b2"]
        assert queryset.destroy(str(a.id)) == (OK, {"id": str(a.id), "text": "a2"})
        assert queryset.destroy([str(b.id)]) == [(OK, {"id": str(b.id), "text": "b2"})]

    # -- the stream --------------------------------------------------------------------------------
    def test_pages_follow_write_order_without_gaps_or_repeats(self, queryset):
        items = [note(str(n)) for n in range(10)]
        for item in items:
            queryset.create_one(item)
        expected = [str(item.id) for item in items]
        pages = walk(queryset, 3)
        assert [len(page) for page in pages] == [3, 3, 3, 1]
        assert sum(pages, []) == expected
        assert walk(queryset, 5) == [expected[:5], expected[5:]]  # a full last page has no next cursor
        assert walk(queryset, 100) == [expected]

    def test_one_batch_is_one_write_ordered_by_id(self, queryset):
        ids = sorted(str(uuid.uuid4()) for _ in range(4))
        queryset.create_many([note(n, item_id) for n, item_id in zip("abcd", reversed(ids), strict=True)])
        later = note("later")
        queryset.create_one(later)
        assert walk(queryset, 2) == [ids[:2], ids[2:], [str(later.id)]]

    def test_paging_is_stable_while_items_are_added(self, queryset, clock):
        """The clock does not move: each write still comes after every cursor given out before it."""
        first = [note(str(n)) for n in range(4)]
        for item in first:
            queryset.create_one(item)
        page, cursor = queryset.read_page(2)
        assert ids_of(page) == [str(item.id) for item in first[:2]]
        lowest = note("lowest id", uuid.UUID(int=0))  # sorts before every other id
        queryset.create_one(lowest)
        rest = sum(walk(queryset, 2, cursor), [])
        assert rest == [str(item.id) for item in first[2:]] + [str(lowest.id)]

    def test_an_update_moves_the_item_to_the_end_and_a_delete_removes_it(self, queryset):
        items = [note(str(n)) for n in range(4)]
        for item in items:
            queryset.create_one(item)
        _, cursor = queryset.read_page(1)
        queryset.create_one(note("edited", items[2].id))
        queryset.destroy_one(items[0].id)  # the item the cursor points at: paging goes on after its place
        queryset.destroy_one(items[3].id)
        assert walk(queryset, 10, cursor) == [[str(items[1].id), str(items[2].id)]]
        assert queryset.read_page(10)[0][-1] == {"id": str(items[2].id), "text": "edited"}

    def test_since_keeps_items_written_at_or_after_it(self, queryset, clock):
        written = {}
        for stamp, text in [(1_000, "a"), (2_000, "b"), (3_000, "c")]:
            clock.now = stamp
            written[text] = str(queryset.create_one(note(text))[1]["id"])
        assert ids_of(queryset.read_page(10, since=2_000)[0]) == [written["b"], written["c"]]
        assert ids_of(queryset.read_page(10, since=2_001)[0]) == [written["c"]]
        assert ids_of(queryset.read_page(10, since=0)[0]) == list(written.values())
        assert queryset.read_page(10, since=3_001) == ([], None)
        page, cursor = queryset.read_page(1, since=1_500)
        assert ids_of(page) == [written["b"]]
        assert cursor == make_cursor(2_000, written["b"])
        assert ids_of(queryset.read_page(10, after=cursor, since=1_500)[0]) == [written["c"]]
        a_cursor = make_cursor(1_000, written["a"])
        assert ids_of(queryset.read_page(10, after=a_cursor, since=3_000)[0]) == [written["c"]]

    def test_writes_within_one_millisecond_get_later_stamps(self, queryset, clock):
        a, b = note("a"), note("b")
        queryset.create_one(a)
        queryset.create_one(b)
        assert queryset.read_page(1) == ([a.model_dump(mode="json")], make_cursor(1_000, str(a.id)))
        assert ids_of(queryset.read_page(10, since=1_001)[0]) == [str(b.id)]

    @pytest.mark.parametrize(
        "cursor",
        ["", "abc", "12", "12-", "-id", "x-id", "1e3-id", "+1-id", " 1-id", "\u0661\u0662-id", "1" * 16 + "-id"],
    )
    def test_a_malformed_cursor_is_a_value_error(self, queryset, cursor):
        with pytest.raises(ValueError):
            queryset.read_page(10, after=cursor)

    @pytest.mark.parametrize(("limit", "since"), [(0, None), (-1, None), (10, -1), (10, 10**15)])
    def test_bad_page_arguments_are_value_errors(self, queryset, limit, since):
        with pytest.raises(ValueError):
            queryset.read_page(limit, since=since)


class TestDictQueryset(QuerysetContract):
    @pytest.fixture
    def queryset(self):
        return DictQueryset()


@pytest.mark.parametrize("item_id", ["111b4bb7-55f5-441b-ba25-c7a4fd99442c", "7", "a b/é,ü?&"])
def test_cursor_round_trip(item_id):
    cursor = make_cursor(1_700_000_000_000, item_id)
    assert cursor.startswith("1700000000000-") and quote(cursor, safe="") == cursor
    assert parse_cursor(cursor) == (1_700_000_000_000, item_id)


def test_the_abstract_queryset_leaves_storage_to_subclasses():
    with pytest.raises(NotImplementedError):
        AbstractQueryset().create_one(note())
    with pytest.raises(NotImplementedError):
        AbstractQueryset().read_page(10)
