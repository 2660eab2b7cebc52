"""Readify's tables in the embedded store: profiles, links, their tags, search index and tombstones."""

from __future__ import annotations

from shared.store import Schema

SCHEMA = Schema(
    "readify",
    [
        # 1: profiles; Readify's links, their tags (one row a tag, for filters and counts), their full-text
        # index, and the tombstones of links deleted for good.
        """
        CREATE TABLE profiles (
            id TEXT PRIMARY KEY, owner TEXT NOT NULL, display_name TEXT NOT NULL, bio TEXT NOT NULL,
            location TEXT NOT NULL, website TEXT NOT NULL, email TEXT, avatar_url TEXT NOT NULL,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
        );
        CREATE TABLE readify_links (
            id TEXT PRIMARY KEY, owner TEXT NOT NULL, url TEXT NOT NULL, title TEXT NOT NULL, tags TEXT NOT NULL,
            liked INTEGER NOT NULL, archived INTEGER NOT NULL, private INTEGER NOT NULL, deleted_at INTEGER,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, UNIQUE (owner, url)
        );
        CREATE INDEX readify_changed ON readify_links (owner, updated_at DESC, id DESC);
        CREATE INDEX readify_kept ON readify_links (owner, created_at DESC, id DESC) WHERE deleted_at IS NULL;
        CREATE INDEX readify_kept_by_archived ON readify_links (owner, archived, created_at DESC, id DESC)
            WHERE deleted_at IS NULL;
        CREATE INDEX readify_kept_by_liked ON readify_links (owner, liked, created_at DESC, id DESC)
            WHERE deleted_at IS NULL;
        CREATE INDEX readify_kept_by_private ON readify_links (owner, private, created_at DESC, id DESC)
            WHERE deleted_at IS NULL;
        CREATE INDEX readify_trash ON readify_links (owner, created_at DESC, id DESC) WHERE deleted_at IS NOT NULL;
        CREATE INDEX readify_trash_by_time ON readify_links (owner, deleted_at) WHERE deleted_at IS NOT NULL;
        CREATE TABLE readify_tags (
            owner TEXT NOT NULL, kept INTEGER NOT NULL, tag TEXT NOT NULL, link_id TEXT NOT NULL,
            PRIMARY KEY (owner, kept, tag, link_id)
        ) WITHOUT ROWID;
        CREATE INDEX readify_tags_by_link ON readify_tags (link_id);
        CREATE VIRTUAL TABLE readify_search USING fts5 (owner_token, title, url, tags, tokenize = 'unicode61');
        CREATE TABLE readify_tombstones (id TEXT PRIMARY KEY, owner TEXT NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX readify_tombstones_changed ON readify_tombstones (owner, updated_at DESC, id DESC);
        CREATE TRIGGER readify_links_insert AFTER INSERT ON readify_links BEGIN
            INSERT INTO readify_tags (owner, kept, tag, link_id)
            SELECT new.owner, new.deleted_at IS NULL, value, new.id FROM json_each(new.tags);
            INSERT INTO readify_search (rowid, owner_token, title, url, tags)
            VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
        END;
        CREATE TRIGGER readify_links_tags_update AFTER UPDATE OF tags, deleted_at ON readify_links BEGIN
            DELETE FROM readify_tags WHERE link_id = old.id;
            INSERT INTO readify_tags (owner, kept, tag, link_id)
            SELECT new.owner, new.deleted_at IS NULL, value, new.id FROM json_each(new.tags);
        END;
        CREATE TRIGGER readify_links_search_update AFTER UPDATE OF title, url, tags ON readify_links BEGIN
            UPDATE readify_search SET title = new.title, url = new.url,
                tags = (SELECT group_concat(value, ' ') FROM json_each(new.tags))
            WHERE rowid = new.rowid;
        END;
        CREATE TRIGGER readify_links_delete AFTER DELETE ON readify_links BEGIN
            DELETE FROM readify_tags WHERE link_id = old.id;
            DELETE FROM readify_search WHERE rowid = old.rowid;
        END;
        """,
        # 2: each tag row carries its link's created_at, so that a tag's links can be read in the lists' order
        # (newest saved first) and a tag filter reads only as far as its page.
        """
        ALTER TABLE readify_tags ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;
        UPDATE readify_tags
            SET created_at = (SELECT l.created_at FROM readify_links l WHERE l.id = readify_tags.link_id);
        CREATE INDEX readify_tags_newest_first ON readify_tags (owner, kept, tag, created_at DESC, link_id DESC);
        DROP TRIGGER readify_links_insert;
        CREATE TRIGGER readify_links_insert AFTER INSERT ON readify_links BEGIN
            INSERT INTO readify_tags (owner, kept, tag, link_id, created_at)
            SELECT new.owner, new.deleted_at IS NULL, value, new.id, new.created_at FROM json_each(new.tags);
            INSERT INTO readify_search (rowid, owner_token, title, url, tags)
            VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)));
        END;
        DROP TRIGGER readify_links_tags_update;
        CREATE TRIGGER readify_links_tags_update AFTER UPDATE OF tags, deleted_at, created_at ON readify_links BEGIN
            DELETE FROM readify_tags WHERE link_id = old.id;
            INSERT INTO readify_tags (owner, kept, tag, link_id, created_at)
            SELECT new.owner, new.deleted_at IS NULL, value, new.id, new.created_at FROM json_each(new.tags);
        END;
        """,
        # 3: how many links out of the trash carry each tag, kept up to date by the tag rows' triggers (the tags
        # page reads one row a tag instead of one a link and tag).
        """
        CREATE TABLE readify_tag_counts (
            owner TEXT NOT NULL, tag TEXT NOT NULL, links INTEGER NOT NULL, PRIMARY KEY (owner, tag)
        ) WITHOUT ROWID;
        INSERT INTO readify_tag_counts (owner, tag, links)
            SELECT owner, tag, count(*) FROM readify_tags WHERE kept = 1 GROUP BY owner, tag;
        CREATE TRIGGER readify_tags_counted AFTER INSERT ON readify_tags WHEN new.kept = 1 BEGIN
            INSERT INTO readify_tag_counts (owner, tag, links) VALUES (new.owner, new.tag, 1)
                ON CONFLICT (owner, tag) DO UPDATE SET links = links + 1;
        END;
        CREATE TRIGGER readify_tags_uncounted AFTER DELETE ON readify_tags WHEN old.kept = 1 BEGIN
            UPDATE readify_tag_counts SET links = links - 1 WHERE owner = old.owner AND tag = old.tag;
            DELETE FROM readify_tag_counts WHERE owner = old.owner AND tag = old.tag AND links <= 0;
        END;
        """,
        # 4: a link's description (what a bookmark file's <DD> says about it).
        """
        ALTER TABLE readify_links ADD COLUMN description TEXT NOT NULL DEFAULT '';
        """,
        # 5: the description is the reader's notes, searched like titles: the full-text index gets a column for
        # it (FTS5 tables cannot add one: the index is made again from the links).
        """
        DROP TABLE readify_search;
        CREATE VIRTUAL TABLE readify_search USING fts5 (
            owner_token, title, url, tags, description, tokenize = 'unicode61'
        );
        INSERT INTO readify_search (rowid, owner_token, title, url, tags, description)
            SELECT rowid, 'o' || hex(owner), title, url, (SELECT group_concat(value, ' ') FROM json_each(tags)),
                   description
            FROM readify_links;
        DROP TRIGGER readify_links_insert;
        CREATE TRIGGER readify_links_insert AFTER INSERT ON readify_links BEGIN
            INSERT INTO readify_tags (owner, kept, tag, link_id, created_at)
            SELECT new.owner, new.deleted_at IS NULL, value, new.id, new.created_at FROM json_each(new.tags);
            INSERT INTO readify_search (rowid, owner_token, title, url, tags, description)
            VALUES (new.rowid, 'o' || hex(new.owner), new.title, new.url,
                    (SELECT group_concat(value, ' ') FROM json_each(new.tags)), new.description);
        END;
        DROP TRIGGER readify_links_search_update;
        CREATE TRIGGER readify_links_search_update AFTER UPDATE OF title, url, tags, description ON readify_links
        BEGIN
            UPDATE readify_search SET title = new.title, url = new.url,
                tags = (SELECT group_concat(value, ' ') FROM json_each(new.tags)), description = new.description
            WHERE rowid = new.rowid;
        END;
        """,
        # 6: whether a link saved without saying is private: on for every account, those made before too.
        """
        ALTER TABLE profiles ADD COLUMN new_links_private INTEGER NOT NULL DEFAULT 1;
        """,
    ],
    legacy=[2, 3, 4],
)
