"""Readify's records on MongoDB: their indexes and repositories."""

from __future__ import annotations

from typing import Any

import pymongo
import pymongo.errors
from pymongo import ReturnDocument

from shared.store import UrlTaken
from shared.store.mongo import NEWEST_FIRST, after, word_start
from shared.store.records import Index

from ..models import Profile, ReadifyLink, Tombstone
from ..tags import replace_tag
from .interfaces import ReadifyQuery

FLAGS = ("liked", "archived", "private")
SEARCHED = ("title", "url", "tags", "description")
"""The fields a search looks in, as the SQLite store's full-text index does."""
LINK_INDEXES: dict[str, list[Index]] = {
    "readify_links": [
        ([("owner", 1), ("url", 1)], {"unique": True}),
        ([("owner", 1), ("updated_at", -1), ("_id", -1)], {}),
        ([("owner", 1), ("deleted_at", 1), ("created_at", -1), ("_id", -1)], {}),
        *(([("owner", 1), ("deleted_at", 1), (flag, 1), ("created_at", -1), ("_id", -1)], {}) for flag in FLAGS),
        ([("owner", 1), ("tags", 1), ("created_at", -1), ("_id", -1)], {}),
    ],
    "readify_tombstones": [([("owner", 1), ("updated_at", -1), ("_id", -1)], {})],
}


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

    def saved_among(self, owner: str, urls: list[str]) -> set[str]:
        found = self.collection.find({"owner": owner, "url": {"$in": urls}, "deleted_at": None}, {"url": 1})
        return {document["url"] for document in found}

    def update(self, owner: str, link_id: str, changes: dict[str, Any]) -> ReadifyLink | None:
        try:
            document = self.collection.find_one_and_update(
                {"_id": link_id, "owner": owner}, {"$set": changes}, return_document=ReturnDocument.AFTER
            )
        except pymongo.errors.DuplicateKeyError:
            raise UrlTaken(changes.get("url")) from None
        return ReadifyLink.from_document(document) if document else None

    def find_urls(self, owner: str, urls: list[str]) -> list[ReadifyLink]:
        return [ReadifyLink.from_document(d) for d in self.collection.find({"owner": owner, "url": {"$in": urls}})]

    def import_links(self, new: list[ReadifyLink], changes: list[tuple[ReadifyLink, dict[str, Any]]]) -> list[bool]:
        """One write per link (each atomic on its own; a batch done twice merges into what the first did)."""
        for link, changed in changes:
            self.collection.update_one({"_id": link.id, "owner": link.owner}, {"$set": changed})
        return [self.add(link) for link in new]

    def page(self, query: ReadifyQuery) -> list[ReadifyLink]:
        trash: Any = {"$ne": None} if query.in_trash else None
        if query.in_trash and query.deleted_after is not None:
            trash = {"$ne": None, "$gt": query.deleted_after}
        conditions: list[dict[str, Any]] = [{"owner": query.owner}, {"deleted_at": trash}]
        conditions += [{flag: getattr(query, flag)} for flag in FLAGS if getattr(query, flag) is not None]
        if query.tags:
            conditions.append({"tags": {"$all": list(query.tags)}})
        conditions += [word_start(word, SEARCHED) for word in query.words]
        conditions += after("created_at", query.before)
        documents = self.collection.find({"$and": conditions}).sort([("created_at", -1), ("_id", -1)])
        return [ReadifyLink.from_document(document) for document in documents.limit(query.limit)]

    @staticmethod
    def _changed(collection: Any, owner: str, since: int, limit: int, before: tuple[int, str] | None) -> Any:
        conditions = [{"owner": owner}, {"updated_at": {"$gt": since}}, *after("updated_at", before)]
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
