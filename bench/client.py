"""The benchmarks' HTTP client: one request at a time to a server on loopback, no redirects followed."""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from brubeck.csrf import CSRF_FIELD
from brubeck.testing import CSRF_INPUT


@dataclass
class Reply:
    status: int
    cookies: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def fetch(
    port: int,
    path: str,
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
    body: str | None = None,
    form: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> Reply:
    """One request to ``127.0.0.1:port``; ``form`` is sent as an urlencoded body."""
    sent = dict(headers or {})
    if form is not None:
        body = urlencode(form)
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        text = response.read().decode("utf-8", errors="replace")
        set_cookies = response.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()
    cookies = dict(header.split(";", 1)[0].strip().split("=", 1) for header in set_cookies)
    return Reply(response.status, cookies, text)


def problem(port: int, path: str, headers: Mapping[str, str] | None = None, body: str | None = None) -> str | None:
    """What keeps ``GET path`` from answering 200 (with ``body``, if given) within a second; None if nothing."""
    try:
        reply = fetch(port, path, headers=headers, timeout=1)
    except OSError as error:
        return str(error)
    if reply.status != 200:
        return f"status {reply.status}"
    if body is not None and reply.body != body:
        return f"unexpected body {reply.body[:80]!r}"
    return None


def cookie_header(cookies: Mapping[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def sign_in(port: int, username: str, password: str, headers: Mapping[str, str] | None = None) -> str:
    """Sign in through ``/login``'s form, as a browser does: the ``Cookie`` header to send from then on."""
    form = fetch(port, "/login", headers=headers)
    token = CSRF_INPUT.search(form.body)
    if form.status != 200 or not token:
        raise RuntimeError(f"GET /login answered {form.status} without a CSRF field")
    fields = {"username": username, "password": password, CSRF_FIELD: token.group(1)}
    reply = fetch(port, "/login", "POST", {**(headers or {}), "Cookie": cookie_header(form.cookies)}, form=fields)
    if reply.status != 302 or "session" not in reply.cookies:
        raise RuntimeError(f"logging {username} in answered {reply.status}: {reply.body[:200]}")
    return cookie_header({**form.cookies, **reply.cookies})


def next_cursor(reply: Reply) -> str | None:
    """The cursor of the page a JSON list's ``next`` link points to; None on the last page."""
    later = reply.json()["next"]
    return parse_qs(urlsplit(later).query)["cursor"][0] if later else None


def header_lines(headers: Mapping[str, str]) -> tuple[str, ...]:
    """Headers as wrk takes them, ``Name: value``."""
    return tuple(f"{name}: {value}" for name, value in headers.items())
