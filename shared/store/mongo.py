"""The store on MongoDB (``MONGODB_URL``), for deployments of several machines.

Each method is one MongoDB operation (atomic on its document), each query
bounded by one of :data:`INDEXES`, created at start-up; only what MongoDB
itself supports is used (the tests run these against mongomock).  pymongo's
sockets are cooperative once Brubeck has patched the standard library.
"""

from __future__ import annotations

import re
from typing import Any

import pymongo
import pymongo.errors
from pymongo import ReturnDocument

from ..models import ApiToken, Link, Profile, ReadifyLink, Tombstone, User
from ..tags import replace_tag
from .interfaces import LinkQuery, ReadifyQuery, UrlTaken

READIFY_FLAGS = ("liked", "archived", "private")
INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {
    "tokens": [([("owner", 1), ("created_at", -1)], {})],
    "login_failures": [([("expires_at", 1)], {})],
    "links": [([("owner", 1), ("updated_at", -1), ("_id", -1)], {}), ([("owner", 1), ("url", 1)], {"unique": True})],
    "readify_links": [
        ([("owner", 1), ("url", 1)], {"unique": True}),
        ([("owner", 1), ("updated_at", -1), ("_id", -1)], {}),
        ([("owner", 1), ("deleted_at", 1), ("created_at", -1), ("_id", -1)], {}),
        *(
            ([("owner", 1), ("deleted_at", 1), (flag, 1), ("created_at", -1), ("_id", -1)], {})
            for flag in READIFY_FLAGS
        ),
        ([("owner", 1), ("tags", 1), ("created_at", -1), ("_id", -1)], {}),
    ],
    "readify_tombstones": [([("owner", 1), ("updated_at", -1), ("_id", -1)], {})],
}
NEWEST_FIRST = [("updated_at", -1), ("_id", -1)]


def ensure_indexes(database: Any) -> None:
    """Create the indexes every query needs (raises pymongo's ConnectionFailure when the server is down)."""
    for collection, indexes in INDEXES.items():
        for keys, options in indexes:
            database[collection].create_index(keys, **options)


class MongoUsers:
    def __init__(self, database: Any) -> None:
        self.collection = database.users

    def create(self, user: User) -> bool:
        try:
            self.collection.insert_one(user.to_document())
        except pymongo.errors.DuplicateKeyError:
            return False
        return True

    def get(self, user_id: str) -> User | None:
        document = self.collection.find_one({"_id": user_id})
        return User.from_document(document) if document else None

    def record_login(self, user_id: str, now: int) -> None:
        self.collection.update_one({"_id": user_id}, {"$set": {"last_login": now}})

    def bump_session_epoch(self, user_id: str) -> None:
        self.collection.update_one({"_id": user_id}, {"$inc": {"session_epoch": 1}})

    def count(self) -> int:
        return int(self.collection.count_documents({}))


class MongoTokens:
    def __init__(self, database: Any) -> None:
        self.collection = database.tokens

    def add(self, token: ApiToken) -> None:
        self.collection.insert_one(token.to_document())

    def get(self, token_id: str) -> ApiToken | None:
        document = self.collection.find_one({"_id": token_id})
        return ApiToken.from_document(document) if document else None

    def for_owner(self, owner: str) -> list[ApiToken]:
        documents = self.collection.find({"owner": owner}).sort([("created_at", -1)])
        return [ApiToken.from_document(document) for document in documents]

    def touch(self, token_id: str, now: int) -> None:
        self.collection.update_one({"_id": token_id}, {"$set": {"last_used_at": now}})

    def delete(self, owner: str, token_id: str) -> bool:
        return bool(self.collection.delete_one({"_id": token_id, "owner": owner}).deleted_count == 1)


def _word_start(word: str, fields: tuple[str, ...] = ("title", "url")) -> dict[str, Any]:
    """Matches a document with a word starting with ``word`` in one of ``fields`` (as the SQLite store's
    search does; a regular expression on a list of tags matches any of them)."""
    pattern = {"$regex": r"(^|[^\w]|_)" + re.escape(word), "$options": "i"}
    return {"$or": [{field: pattern} for field in fields]}


def _after(field: str, before: tuple[int, str] | None) -> list[dict[str, Any]]:
    """The condition of the positions after ``before`` (``(field value, id)``), newest first."""
    if before is None:
        return []
    value, document_id = before
    return [{"$or": [{field: {"$lt": value}}, {field: value, "_id": {"$lt": document_id}}]}]


class MongoLinks:
    def __init__(self, database: Any) -> None:
        self.collection = database.links

    def upsert(self, link: Link) -> tuple[Link, bool]:
        changes: dict[str, Any] = {"updated_at": link.updated_at}
        if link.title:
            changes["title"] = link.title
        creation = {k: v for k, v in link.to_document().items() if k not in changes}
        before = self.collection.find_one_and_update(
            {"_id": link.id},
            {"$set": changes, "$setOnInsert": creation},
            upsert=True,
            return_document=ReturnDocument.BEFORE,
        )
        stored = self.collection.find_one({"_id": link.id})
        return Link.from_document(stored), before is None

    def get(self, owner: str, link_id: str) -> Link | None:
        document = self.collection.find_one({"_id": link_id, "owner": owner})
        return Link.from_document(document) if document else None

    def page(self, query: LinkQuery) -> list[Link]:
        conditions: list[dict[str, Any]] = [{"owner": query.owner}, *map(_word_start, query.words)]
        if query.since is not None:
            conditions.append({"updated_at": {"$gt": query.since}})
        conditions += _after("updated_at", query.before)
        documents = self.collection.find({"$and": conditions}).sort(NEWEST_FIRST).limit(query.limit)
        return [Link.from_document(document) for document in documents]

    def delete(self, owner: str, link_id: str) -> bool:
        return bool(self.collection.delete_one({"_id": link_id, "owner": owner}).deleted_count == 1)

    def count(self, owner: str) -> int:
        return int(self.collection.count_documents({"owner": owner}))


class MongoLoginFailures:
    def __init__(self, database: Any) -> None:
        self.collection = database.login_failures

    def add(self, key: str, now: int, window_ms: int, by: int = 1) -> int:
        live = {"$gt": ["$expires_at", now]}  # a missing window (a new document) is not live
        document = self.collection.find_one_and_update(
            {"_id": key},
            [
                {
                    "$set": {
                        "count": {"$cond": [live, {"$add": ["$count", by]}, by]},
                        "expires_at": {"$cond": [live, "$expires_at", now + window_ms]},
                    }
                }
            ],
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        self.collection.delete_many({"expires_at": {"$lte": now}})
        return int(document["count"])

    def live(self, keys: list[str], now: int) -> list[tuple[int, int]]:
        documents = self.collection.find({"_id": {"$in": keys}, "expires_at": {"$gt": now}})
        return [(int(document["count"]), int(document["expires_at"])) for document in documents]

    def clear(self, key: str) -> None:
        self.collection.delete_one({"_id": key})


class MongoProfiles:
    def __init__(self, database: Any) -> None:
        self.collection = database.profiles

    def get(self, owner: str) -> Profile | None:
        document = self.collection.find_one({"_id": owner})
        return Profile.from_document(document) if document else None

    def put(self, profile: Profile) -> None:
        self.collection.replace_one({"_id": profile.id}, profile.to_document(), upsert=True)


class MongoReadifyLinks:
    def __init__(self, database: Any) -> None:
        self.collection = database.readify_links
        self.tombstone_collection = database.readify_tombstones

    def add(self, link: ReadifyLink) -> bool:
        try:
            self.collection.insert_one(link.to_document())
        except pymongo.errors.DuplicateKeyError:
            return False
        return True

    def _one(self, query: dict[str, Any]) -> ReadifyLink | None:
        document = self.collection.find_one(query)
        return ReadifyLink.from_document(document) if document else None

    def get(self, owner: str, link_id: str) -> ReadifyLink | None:
        return self._one({"_id": link_id, "owner": owner})

    def find_url(self, owner: str, url: str) -> ReadifyLink | None:
        return self._one({"owner": owner, "url": url})

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        try:
            document = self.collection.find_one_and_update(
                {"_id": link_id, "owner": owner}, {"$set": changes}, return_document=ReturnDocument.AFTER
            )
        except pymongo.errors.DuplicateKeyError:
            raise UrlTaken(changes.get("url")) from None
        return ReadifyLink.from_document(document) if document else None

    def page(self, query: ReadifyQuery) -> list[ReadifyLink]:
        trash: Any = {"$ne": None} if query.in_trash else None
        if query.in_trash and query.deleted_after is not None:
            trash = {"$ne": None, "$gt": query.deleted_after}
        conditions: list[dict[str, Any]] = [{"owner": query.owner}, {"deleted_at": trash}]
        conditions += [{flag: getattr(query, flag)} for flag in READIFY_FLAGS if getattr(query, flag) is not None]
        if query.tags:
            conditions.append({"tags": {"$all": list(query.tags)}})
        conditions += [_word_start(word, ("title", "url", "tags")) for word in query.words]
        conditions += _after("created_at", query.before)
        documents = self.collection.find({"$and": conditions}).sort([("created_at", -1), ("_id", -1)])
        return [ReadifyLink.from_document(document) for document in documents.limit(query.limit)]

    @staticmethod
    def _changed(collection: Any, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> Any:
        conditions = [{"owner": owner}, {"updated_at": {"$gt": since}}, *_after("updated_at", before)]
        return collection.find({"$and": conditions}).sort(NEWEST_FIRST).limit(limit)

    def changes(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[ReadifyLink]:
        return [ReadifyLink.from_document(d) for d in self._changed(self.collection, owner, since, limit, before)]

    def tombstones(self, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> list[Tombstone]:
        documents = self._changed(self.tombstone_collection, owner, since, limit, before)
        return [Tombstone.from_document(document) for document in documents]

    def _delete_for_good(self, query: dict[str, Any], now: int) -> int:
        """Tombstones first, then the links: a failure between leaves links that a retry deletes."""
        ids = [document["_id"] for document in self.collection.find(query, {"_id": 1})]
        for link_id in ids:
            tombstone = Tombstone(id=link_id, owner=query["owner"], updated_at=now)
            self.tombstone_collection.replace_one({"_id": link_id}, tombstone.to_document(), upsert=True)
        if not ids:
            return 0
        return int(self.collection.delete_many({"_id": {"$in": ids}, "owner": query["owner"]}).deleted_count)

    def remove(self, owner: str, link_id: str, now: int) -> bool:
        return self._delete_for_good({"_id": link_id, "owner": owner}, now) == 1

    def purge(self, owner: str, deleted_before: int, now: int) -> int:
        return self._delete_for_good({"owner": owner, "deleted_at": {"$ne": None, "$lt": deleted_before}}, now)

    def count(self, owner: str) -> int:
        return int(self.collection.count_documents({"owner": owner}))

    def tag_counts(self, owner: str) -> list[tuple[str, int]]:
        counted = self.collection.aggregate(
            [
                {"$match": {"owner": owner, "deleted_at": None}},
                {"$unwind": "$tags"},
                {"$group": {"_id": "$tags", "count": {"$sum": 1}}},
                {"$sort": {"_id": 1}},
            ]
        )
        return [(str(item["_id"]), int(item["count"])) for item in counted]

    def retag(self, owner: str, old: str, new: str | None, now: int) -> int:
        """One update per link (each atomic on its own)."""
        documents = list(self.collection.find({"owner": owner, "tags": old}, {"tags": 1}))
        for document in documents:
            self.collection.update_one(
                {"_id": document["_id"], "owner": owner},
                {"$set": {"tags": replace_tag(document["tags"], old, new), "updated_at": now}},
            )
        return len(documents)


class MongoStore:
    """The store in a pymongo (or mongomock) database."""

    def __init__(self, database: Any, client: Any = None) -> None:
        self.database = database
        self._client = client
        self.users = MongoUsers(database)
        self.tokens = MongoTokens(database)
        self.links = MongoLinks(database)
        self.login_failures = MongoLoginFailures(database)
        self.profiles = MongoProfiles(database)
        self.readify_links = MongoReadifyLinks(database)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
