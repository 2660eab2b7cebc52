"""Odd input to every form and JSON endpoint of every site (issue "Hardening, second round", item 4).

The test walks each site's routes, so that a new endpoint is covered without being listed here. Every
POST, PUT, PATCH and DELETE gets each kind of odd body, from a signed-in user with a valid CSRF token (pages)
or API key (APIs): lone surrogates, JSON nested thousands deep, bytes that are not UTF-8 in a form, a JSON
and a multipart body, and fields far over any length the sites keep. Never a 5xx; a 4xx carries a message
and leaves the database (and Redis) as it was; an answer that took the request stored none of the odd text.
"""

from __future__ import annotations

import importlib
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import redis

from brubeck.csrf import CSRF_FIELD
from brubeck.request_handling import Brubeck, JSONMessageHandler
from brubeck.testing import TestClient, TestResponse
from shared import tokens
from shared.chat.service import Chat
from shared.settings import Settings
from shared.store import Store
from tests.support.inprocess import AccountBrowser
from tests.support.sites import present

SITE_APPS = {"listsurf": "listsurf.app", "readify": "readify.app", "readify-api": "readify.api.app"}
"""Each site's module with ``create_app`` (those of the sites this tree holds are walked)."""

LONG = "Z" * 100_000
STORED_BOUND = "Z" * 4097  # no field any site keeps is longer than 4 KB
SURROGATE = "\udfff"
FIELDS = ["url", "title", "tags", "name", "new_name", "tag", "username", "password", "email", "display_name", "bio"]
FIELDS += ["text", "description", "next", "private"]
TRACK = "4uLU6hMCjMI75M1A2tKUQC"


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode("ascii")  # ensure_ascii: a lone surrogate goes as its \\udfff escape


def multipart(fields: dict[str, bytes], boundary: str = "oddboundary") -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value + b"\r\n"
        for name, value in fields.items()
    ]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


@dataclass(frozen=True)
class OddBody:
    """One kind of odd input: its content type and body (given the CSRF token), and the text that must
    never be stored (never hex digits alone, which any id or hash may hold by chance)."""

    name: str
    content_type: str
    body: Callable[[str], bytes]
    marker: str


ODD_BODIES = [
    OddBody(
        "form, not UTF-8",
        "application/x-www-form-urlencoded",
        lambda csrf: b"title=oddcaf\xe9\xff&" + f"{CSRF_FIELD}={csrf}".encode(),
        "oddcaf",
    ),
    OddBody(
        "form, over-long fields",
        "application/x-www-form-urlencoded",
        lambda csrf: "&".join([f"{field}={LONG}" for field in FIELDS] + [f"{CSRF_FIELD}={csrf}"]).encode(),
        STORED_BOUND,
    ),
    OddBody(
        "multipart, not UTF-8",
        "multipart/form-data; boundary=oddboundary",
        lambda csrf: multipart({"title": b"oddcaf\xe9\xff", CSRF_FIELD: csrf.encode()}),
        "oddcaf",
    ),
    OddBody(
        "multipart, over-long fields",
        "multipart/form-data; boundary=oddboundary",
        lambda csrf: multipart({**{field: LONG.encode() for field in FIELDS}, CSRF_FIELD: csrf.encode()}),
        STORED_BOUND,
    ),
    OddBody(
        "JSON, lone surrogates",
        "application/json",
        lambda csrf: json_bytes(dict.fromkeys(FIELDS, SURROGATE)),
        "\\udfff",
    ),
    OddBody(
        "JSON, nested 5,000 deep",
        "application/json",
        lambda csrf: b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "[[[[",
    ),
    OddBody(
        "JSON, not UTF-8", "application/json", lambda csrf: b'{"title": "oddcaf\xe9\xff", "text": "\xff"}', "oddcaf"
    ),
    OddBody(
        "JSON, over-long fields", "application/json", lambda csrf: json_bytes(dict.fromkeys(FIELDS, LONG)), STORED_BOUND
    ),
]


@dataclass
class Site:
    """A site in this process with a signed-in user: a browser (cookie and CSRF token) and an API key."""

    app: Brubeck
    browser: TestClient
    key: str
    path_values: dict[str, str]

    def send(self, method: str, path: str, odd: OddBody, api: bool) -> TestResponse:
        csrf = ""
        if self.app.router.match("/create"):
            if self.browser.get("/tokens").status == 302:  # an earlier request signed out, as it may
                self.browser.log_in("alice")
            csrf = self.browser.csrf_token("/tokens")
        headers = {"content-type": odd.content_type}
        if api:
            headers["authorization"] = f"Token {self.key}"
        return self.browser.request(method, path, body=odd.body(csrf), headers=headers)


def a_path(pattern: re.Pattern[str], values: dict[str, str]) -> str:
    """A path the route's pattern matches, its named parts filled with the user's own records."""
    text = pattern.pattern.removesuffix("$")
    for name, value in values.items():
        text = re.sub(rf"\(\?P<{name}>[^)]*\)", value, text)
    path = text.replace("\\.", ".").replace(".*", "anything")
    assert pattern.fullmatch(path), f"give a_path a value for the parts of {pattern.pattern}"
    return path


BOOKKEEPING = {"login_failures": None, "tokens": "last_used_at", "users": "last_login"}
"""What a refused request may still change: the throttle's counts (bounded: test_stored_bounds.py), when a
key was last used, when its owner last signed in."""


def database_state(store: Store) -> str:
    """Everything the database holds, but its bookkeeping."""
    lines = []
    with sqlite3.connect(store.database.path) as connection:  # type: ignore[attr-defined]
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in sorted(tables):
            if table in BOOKKEEPING and BOOKKEEPING[table] is None:
                continue
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            kept = ", ".join(column for column in columns if column != BOOKKEEPING.get(table))
            lines += [f"{table}: {row!r}" for row in connection.execute(f"SELECT {kept} FROM {table} ORDER BY 1")]
    return "\n".join(lines)


def redis_state(client: redis.Redis | None, namespace: str) -> str:
    if client is None:
        return ""
    keys = sorted(client.scan_iter(f"{namespace}*"))
    return repr([(key, client.dump(key)) for key in keys])


def walk(site: Site, store: Store, chat: Chat | None = None) -> list[str]:
    """Send every odd body to every route and method that takes a body; what went wrong, one line each."""
    problems = []
    client = chat.client if chat is not None else None
    namespace = chat.keys.namespace if chat is not None else ""
    for route in site.app.router.routes:
        api = route.handler is not None and issubclass(route.handler, JSONMessageHandler)
        for method in [m for m in route.allowed_methods() if m in ("POST", "PUT", "PATCH", "DELETE")]:
            path = a_path(route.pattern, site.path_values)
            for odd in ODD_BODIES:
                before = database_state(store), redis_state(client, namespace)
                response = site.send(method, path, odd, api)
                where = f"{method} {path} ({odd.name}): {response.status}"
                after = database_state(store), redis_state(client, namespace)
                if response.status >= 500:
                    problems.append(f"{where} {response.text[:200]}")
                elif response.status >= 400:
                    if not message_of(response):
                        problems.append(f"{where} without a message")
                    if after != before:
                        problems.append(f"{where} but something was stored")
                if odd.marker in after[0] or odd.marker.encode() in after[1].encode():
                    problems.append(f"{where} and the odd text was stored")
    return problems


def message_of(response: TestResponse) -> str:
    """The message a person reads: the JSON error's, or the text of an HTML or plain page."""
    if response.headers.get("Content-Type", "").startswith("application/json"):
        return str(response.json().get("error", {}).get("message", ""))
    return re.sub(r"<[^>]+>", " ", response.text).strip()


@pytest.fixture
def signed_in(settings: Settings, store: Store) -> Callable[[Brubeck], Site]:
    """Factory: the site ``app`` with "alice" signed in (through its own /create where it has pages), a link,
    a tag and an API key of hers."""

    def make(app: Brubeck) -> Site:
        browser = AccountBrowser(app)
        if app.router.match("/create") is not None:
            browser.sign_up("alice")
        else:  # an API: the account is made on a site with pages, the API takes its key
            AccountBrowser(create("readify", settings, store)).sign_up("alice")
        _, key = tokens.issue_token(store, "alice", "fuzz")
        [token] = tokens.list_tokens(store, "alice")
        values = {"token_id": token.id, "username": "alice", "name": "music", "track": TRACK, "action": "like"}
        values["room"] = "lobby"
        values["token"] = "an-expired-reset-token-" + "x" * 20  # a reset link's: refused as expired
        if present("readify"):
            readify_links = importlib.import_module("readify.links")
            link, _ = readify_links.save_link(store, "alice", "https://example.org/kept", "Kept", tags=("music",))
            values["link_id"] = link.id
        if present("listsurf") and app.router.match("/delete_item/x"):  # Listsurf's own links
            listsurf_links = importlib.import_module("listsurf.links")
            listsurf_link, _ = listsurf_links.save_link(store, "alice", "https://example.org/kept", "Kept")
            values["link_id"] = listsurf_link.id
        return Site(app, browser, key, values)

    return make


def create(name: str, *arguments: Any) -> Brubeck:
    """The named site's ``create_app(*arguments)``."""
    app: Brubeck = importlib.import_module(SITE_APPS.get(name, f"{name}.app")).create_app(*arguments)
    return app


@pytest.mark.parametrize("name", [name for name, module in SITE_APPS.items() if present(module)])
def test_odd_input_to_every_endpoint_is_a_clear_4xx_and_stores_nothing(
    name: str, settings: Settings, store: Store, signed_in: Callable[..., Site]
) -> None:
    site = signed_in(create(name, settings, store))
    assert walk(site, store) == []


@pytest.mark.parametrize("name", [name for name in ("spotichat", "nojs") if present(name)])
def test_odd_input_to_every_chat_endpoint_is_a_clear_4xx_and_stores_nothing(
    name: str, settings: Settings, store: Store, chat: Chat, signed_in: Callable[..., Site]
) -> None:
    site = signed_in(create(name, settings, store, chat))
    assert walk(site, store, chat) == []
