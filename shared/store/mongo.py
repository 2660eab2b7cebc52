"""The store on MongoDB (``MONGODB_URL``), for deployments of several machines.

Each method is one MongoDB operation (atomic on its document), each query
bounded by an index (the accounts' :data:`ACCOUNT_INDEXES`, a site's in its
:class:`~shared.store.records.Records`), created at start-up; only what MongoDB
itself supports is used (the tests run these against mongomock).  pymongo's
sockets are cooperative once Brubeck has patched the standard library.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import pymongo
import pymongo.errors
from pymongo import ReturnDocument

from brubeck import concurrency

from ..models import ApiToken, User
from .records import Index, Records

log = logging.getLogger("shared.store")
R = TypeVar("R")

ACCOUNT_INDEXES: dict[str, list[Index]] = {
    "users": [([("email", 1)], {})],
    "tokens": [([("owner", 1), ("created_at", -1)], {})],
    "login_failures": [([("expires_at", 1)], {})],
}
NEWEST_FIRST = [("updated_at", -1), ("_id", -1)]
"""The order of a list of changes: last updated first."""


def ensure_indexes(database: Any, indexes: Mapping[str, Sequence[Index]]) -> None:
    """Create ``indexes`` (raises pymongo's ConnectionFailure when the server is down)."""
    for collection, wanted in indexes.items():
        for keys, options in wanted:
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

    def change(self, user_id: str, password_hash: str, email: str | None) -> None:
        changes = {"$set": {"password_hash": password_hash, "email": email}, "$inc": {"session_epoch": 1}}
        self.collection.update_one({"_id": user_id}, changes)

    def delete(self, user_id: str, retired_until: int) -> bool:
        if self.collection.delete_one({"_id": user_id}).deleted_count != 1:
            return False
        database = self.collection.database
        for name in database.list_collection_names():  # one after the other: MongoDB has no transaction here
            database[name].delete_many({"owner": user_id})
        database.retired_usernames.update_one({"_id": user_id}, {"$set": {"until": retired_until}}, upsert=True)
        return True

    def with_email(self, email: str, limit: int) -> list[User]:
        return [User.from_document(document) for document in self.collection.find({"email": email}).limit(limit)]

    def retired(self, user_id: str, now: int) -> bool:
        return self.collection.database.retired_usernames.find_one({"_id": user_id, "until": {"$gt": now}}) is not None

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


def word_start(word: str, fields: tuple[str, ...] = ("title", "url")) -> dict[str, Any]:
    """Matches a document with a word starting with ``word`` in one of ``fields`` (as the SQLite store's
    search does; a regular expression on a list of tags matches any of them)."""
    pattern = {"$regex": r"(^|[^\w]|_)" + re.escape(word), "$options": "i"}
    return {"$or": [{field: pattern} for field in fields]}


def after(field: str, before: tuple[int, str] | None) -> list[dict[str, Any]]:
    """The condition of the positions after ``before`` (``(field value, id)``), newest first."""
    if before is None:
        return []
    value, document_id = before
    return [{"$or": [{field: {"$lt": value}}, {field: value, "_id": {"$lt": document_id}}]}]


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
    """The store in a pymongo (or mongomock) database; each kind of record's indexes are made on first use
    (or, while the server is down, in the background until they are)."""

    def __init__(self, database: Any, client: Any = None) -> None:
        self.database = database
        self._client = client
        self.users = MongoUsers(database)
        self.tokens = MongoTokens(database)
        self.login_failures = MongoLoginFailures(database)
        self._records: dict[str, Any] = {}
        self._index(ACCOUNT_INDEXES)

    def records(self, kind: Records[R]) -> R:
        """The repository of ``kind`` (its indexes asked for on first use)."""
        if kind.name not in self._records:
            self._index(kind.indexes)
            self._records[kind.name] = kind.mongo(self.database)
        found: R = self._records[kind.name]
        return found

    def _index(self, indexes: Mapping[str, Sequence[Index]]) -> None:
        def attempt() -> bool:
            try:
                ensure_indexes(self.database, indexes)
            except pymongo.errors.ConnectionFailure as error:
                log.error("MongoDB unreachable, indexes not created yet: %s", error)
                return False
            return True

        def retry() -> None:
            while not attempt():
                concurrency.sleep(5)

        if indexes and not attempt():
            concurrency.spawn(retry)

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
