"""Listsurf's links on MongoDB: their indexes and repository."""

from __future__ import annotations

from typing import Any

import pymongo.errors
from pymongo import ReturnDocument

from shared.store.mongo import NEWEST_FIRST, after, word_start
from shared.store.records import Index

from ..models import Link
from .interfaces import LinkQuery

INDEXES: dict[str, list[Index]] = {
    "links": [([("owner", 1), ("updated_at", -1), ("_id", -1)], {}), ([("owner", 1), ("url", 1)], {"unique": True})],
}


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

    def find_urls(self, owner: str, urls: list[str]) -> list[Link]:
        return [Link.from_document(d) for d in self.collection.find({"owner": owner, "url": {"$in": urls}})]

    def import_links(self, new: list[Link], changes: list[tuple[Link, dict[str, Any]]]) -> list[bool]:
        """One write per link (each atomic on its own; a batch done twice merges into what the first did)."""
        for link, changed in changes:
            self.collection.update_one({"_id": link.id, "owner": link.owner}, {"$set": changed})
        stored = []
        for link in new:
            try:
                self.collection.insert_one(link.to_document())
            except pymongo.errors.DuplicateKeyError:
                stored.append(False)
            else:
                stored.append(True)
        return stored

    def get(self, owner: str, link_id: str) -> Link | None:
        document = self.collection.find_one({"_id": link_id, "owner": owner})
        return Link.from_document(document) if document else None

    def page(self, query: LinkQuery) -> list[Link]:
        conditions: list[dict[str, Any]] = [{"owner": query.owner}, *map(word_start, query.words)]
        if query.since is not None:
            conditions.append({"updated_at": {"$gt": query.since}})
        conditions += after("updated_at", query.before)
        documents = self.collection.find({"$and": conditions}).sort(NEWEST_FIRST).limit(query.limit)
        return [Link.from_document(document) for document in documents]

    def replace(self, old_id: str, link: Link) -> bool:
        if old_id == link.id:
            changes = {"title": link.title, "updated_at": link.updated_at}
            return bool(
                self.collection.update_one({"_id": old_id, "owner": link.owner}, {"$set": changes}).matched_count
            )
        if self.collection.find_one({"_id": old_id, "owner": link.owner}) is None:
            return False
        try:
            self.collection.insert_one(link.to_document())
        except pymongo.errors.DuplicateKeyError:
            return False
        self.collection.delete_one({"_id": old_id, "owner": link.owner})  # two steps: MongoDB has no transaction here
        return True

    def delete(self, owner: str, link_id: str) -> bool:
        return bool(self.collection.delete_one({"_id": link_id, "owner": owner}).deleted_count == 1)

    def count(self, owner: str) -> int:
        return int(self.collection.count_documents({"owner": owner}))
