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

from ..models import ApiToken, Link, User
from .interfaces import LinkQuery

INDEXES: dict[str, list[tuple[list[tuple[str, int]], dict[str, Any]]]] = {
    "tokens": [([("owner", 1), ("created_at", -1)], {})],
    "login_failures": [([("expires_at", 1)], {})],
    "links": [([("owner", 1), ("updated_at", -1), ("_id", -1)], {}), ([("owner", 1), ("url", 1)], {"unique": True})],
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


def _word_start(word: str) -> dict[str, Any]:
    """Matches a title or URL with a word starting with ``word`` (as the SQLite store's search does)."""
    pattern = {"$regex": r"(^|[^\w]|_)" + re.escape(word), "$options": "i"}
    return {"$or": [{"title": pattern}, {"url": pattern}]}


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
        if query.before is not None:
            updated_at, link_id = query.before
            conditions.append(
                {"$or": [{"updated_at": {"$lt": updated_at}}, {"updated_at": updated_at, "_id": {"$lt": link_id}}]}
            )
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


class MongoStore:
    """The store in a pymongo (or mongomock) database."""

    def __init__(self, database: Any, client: Any = None) -> None:
        self.database = database
        self._client = client
        self.users = MongoUsers(database)
        self.tokens = MongoTokens(database)
        self.links = MongoLinks(database)
        self.login_failures = MongoLoginFailures(database)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
