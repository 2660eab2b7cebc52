"""The accounts' tables in the embedded store (the sites bring their own: :mod:`shared.store.records`)."""

from __future__ import annotations

from ..records import Schema

ACCOUNTS = Schema(
    "accounts",
    [
        # 1: accounts, API tokens, failed logins.
        """
        CREATE TABLE users (
            id TEXT PRIMARY KEY, username TEXT NOT NULL, email TEXT, password_hash TEXT NOT NULL,
            is_active INTEGER NOT NULL, created_at INTEGER NOT NULL, last_login INTEGER,
            session_epoch INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE tokens (
            id TEXT PRIMARY KEY, owner TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
            created_at INTEGER NOT NULL, last_used_at INTEGER
        );
        CREATE INDEX tokens_by_owner ON tokens (owner, created_at DESC);
        CREATE TABLE login_failures (
            key TEXT PRIMARY KEY, count INTEGER NOT NULL, expires_at INTEGER NOT NULL
        );
        CREATE INDEX login_failures_by_expiry ON login_failures (expires_at);
        """,
        # 2: the names of deleted accounts, kept from new accounts for a while; accounts by email (resets).
        """
        CREATE TABLE retired_usernames (id TEXT PRIMARY KEY, until INTEGER NOT NULL);
        CREATE INDEX users_by_email ON users (email);
        """,
    ],
    legacy=[1],
)
