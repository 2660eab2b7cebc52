"""The queryset contract against RedisQueryset on a real Redis (the session's ``redis_url`` server)."""

import uuid

import pytest
import redis

from brubeck.queryset import RedisQueryset
from tests.brubeck.test_queryset import Note, QuerysetContract

pytestmark = pytest.mark.integration


@pytest.fixture
def client(redis_url):
    connection = redis.Redis.from_url(redis_url)
    yield connection
    connection.close()


class TestRedisQueryset(QuerysetContract):
    @pytest.fixture(params=[False, True], ids=["plain", "compressed"])
    def queryset(self, request, client):
        namespace = f"test-{uuid.uuid4().hex}"
        yield RedisQueryset(client, namespace=namespace, compress=request.param)
        client.delete(f"{namespace}:items", f"{namespace}:stream", f"{namespace}:clock")


def test_a_write_changes_the_hash_and_the_stream_together(client):
    queryset = RedisQueryset(client, namespace=f"test-{uuid.uuid4().hex}")
    a, b = Note(text="a"), Note(text="b")
    queryset.create_many([a, b])
    queryset.create_one(Note(id=a.id, text="a again"))
    assert client.hlen(queryset.items_key) == 2
    members = [m.decode() for m in client.zrange(queryset.stream_key, 0, -1)]
    assert sorted(m.split("-", 1)[1] for m in members) == sorted([str(a.id), str(b.id)])  # one place per item
    assert members[-1].endswith(str(a.id))  # the rewrite moved it to the end
    queryset.destroy_one(a.id)
    assert client.hlen(queryset.items_key) == client.zcard(queryset.stream_key) == 1


def test_querysets_in_two_namespaces_do_not_mix(client):
    first = RedisQueryset(client, namespace=f"test-{uuid.uuid4().hex}")
    second = RedisQueryset(client, namespace=f"test-{uuid.uuid4().hex}")
    item = Note(text="only in the first")
    first.create_one(item)
    assert second.read_one(item.id) == (second.MSG_NOTFOUND, str(item.id))
    assert second.read_page(10) == ([], None)


def test_compress_stores_zlib_data(client):
    queryset = RedisQueryset(client, namespace=f"test-{uuid.uuid4().hex}", compress=True)
    item = Note(text="squeeze me " * 50)
    queryset.create_one(item)
    raw = client.hget(queryset.items_key, str(item.id))
    assert b"squeeze me" not in raw
    assert len(raw) < len(item.text)
    assert queryset.read_one(item.id) == (queryset.MSG_OK, item.model_dump(mode="json"))


def test_concurrent_writers_each_get_a_later_stamp(client, redis_url):
    """Two clients (two processes' worth) share one clock: a write never lands before a cursor given out."""
    namespace = f"test-{uuid.uuid4().hex}"
    other_client = redis.Redis.from_url(redis_url)
    try:
        mine, theirs = RedisQueryset(client, namespace=namespace), RedisQueryset(other_client, namespace=namespace)
        items = [Note(text=str(n)) for n in range(6)]
        for n, item in enumerate(items):
            (mine if n % 2 else theirs).create_one(item)
        page, cursor = mine.read_page(6)
        assert [d["id"] for d in page] == [str(item.id) for item in items]
        assert cursor is None
        stamps = [int(m.decode().split("-", 1)[0]) for m in client.zrange(mine.stream_key, 0, -1)]
        assert stamps == sorted(set(stamps))  # strictly increasing across both clients
    finally:
        other_client.close()
