"""Requests, frames and fake sockets for the framework's unit tests (tests/brubeck/), built without a server."""

import json
from urllib.parse import urlencode

from brubeck.request import Request


def req(method="GET", path="/", headers=None, body=b"", **kwargs):
    """A Request; ``path`` may carry a query string (``/a?b=c``)."""
    path, _, query = path.partition("?")
    if isinstance(body, str):
        body = body.encode("utf-8")
    return Request(method=method, path=path, query_string=query, headers=headers or {}, body=body, **kwargs)


def form_req(path, fields, method="POST", headers=None):
    """A request with an urlencoded form body."""
    all_headers = {"content-type": "application/x-www-form-urlencoded", **(headers or {})}
    return req(method, path, all_headers, urlencode(fields, doseq=True))


def json_req(path, data, method="POST", headers=None):
    """A request with a JSON body."""
    return req(method, path, {"content-type": "application/json", **(headers or {})}, json.dumps(data))


def netstring(payload):
    return b"%d:%s," % (len(payload), payload)


def frame(headers, body=b"", sender="S", conn_id="7", path="/"):
    """A raw Mongrel2 request frame."""
    raw_headers = json.dumps(headers).encode("utf-8")
    return f"{sender} {conn_id} {path} ".encode() + netstring(raw_headers) + netstring(body)


def cookies_from(response):
    """A ``Cookie`` request header carrying every cookie the response set."""
    pairs = [header.split(";", 1)[0] for header in response.headers.get_all("Set-Cookie")]
    return {"cookie": "; ".join(pairs)}


def json_body(response):
    return json.loads(response.body)


class FakeSocket:
    """Records what a Mongrel2Connection publishes."""

    def __init__(self):
        self.sent = []

    def send(self, data):
        self.sent.append(data)


class FakeConnection:
    """Records ``reply_bulk`` calls, like a Mongrel2Connection would receive them."""

    def __init__(self):
        self.replies = []

    def reply_bulk(self, sender, conn_ids, payload):
        self.replies.append((sender, list(conn_ids), payload))
