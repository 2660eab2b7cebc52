"""The incoming request, whatever brought it (Mongrel2 or WSGI: see those modules).

Bodies are parsed lazily: ``arguments`` merges the query string with an
urlencoded or multipart form, ``files`` holds uploads, ``json`` the parsed
JSON body.  A malformed body raises :class:`HTTPError` 400 when first read.
"""

from __future__ import annotations

import io
from functools import cached_property
from typing import Any, overload
from urllib.parse import parse_qs

import multipart
import orjson

from .cookies import parse_cookie_header
from .datastructures import UploadedFile
from .exceptions import HTTPError

MAX_MULTIPART_MEMORY = 64 * 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024
"""The largest JSON body read (Mongrel2's ``limits.content_length`` bounds every body too)."""
MAX_JSON_DEPTH = 32
"""How deep arrays and objects may nest in a JSON body: deep enough for any document the suite takes,
far from the depth at which code walking it would recurse too far."""


class Request:
    """One HTTP request (or Mongrel2 disconnect notice).

    ``headers`` keys are lower-case HTTP header names; ``method``, ``path``,
    ``query_string`` and ``version`` are read from the request line.
    """

    def __init__(
        self,
        *,
        method: str,
        path: str,
        query_string: str = "",
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        sender: str = "",
        conn_id: str = "",
        version: str = "HTTP/1.1",
        scheme: str = "http",
        remote_addr: str = "",
    ) -> None:
        self._fill(
            method,
            path,
            query_string,
            {k.lower(): v for k, v in (headers or {}).items()},
            body,
            sender,
            conn_id,
            version,
            scheme,
            remote_addr,
        )

    @classmethod
    def from_parts(
        cls,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        sender: str,
        conn_id: str,
        version: str,
        scheme: str,
        remote_addr: str,
    ) -> Request:
        """A request from a transport that already lower-cased the header names (the fast path)."""
        request = cls.__new__(cls)
        request._fill(method, path, query_string, headers, body, sender, conn_id, version, scheme, remote_addr)
        return request

    def _fill(
        self,
        method: str,
        path: str,
        query_string: str,
        headers: dict[str, str],
        body: bytes,
        sender: str,
        conn_id: str,
        version: str,
        scheme: str,
        remote_addr: str,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.query_string = query_string
        self.headers = headers
        self.body = body
        self.sender = sender
        self.conn_id = conn_id
        self.version = version
        self.scheme = scheme
        self.remote_addr = remote_addr

    @property
    def host(self) -> str:
        return self.headers.get("host", "")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def uri(self) -> str:
        """Path plus query string, as the client sent them."""
        return self.path + ("?" + self.query_string if self.query_string else "")

    @cached_property
    def cookies(self) -> dict[str, str]:
        return parse_cookie_header(self.headers.get("cookie", ""))

    @cached_property
    def query_arguments(self) -> dict[str, list[str]]:
        return parse_qs(self.query_string, keep_blank_values=True)

    @cached_property
    def _form(self) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
        try:
            if self.content_type == "application/x-www-form-urlencoded":
                try:
                    text = self.body.decode("utf-8")
                except UnicodeDecodeError:
                    raise HTTPError(400, "The form data is not valid UTF-8.") from None
                return parse_qs(text, keep_blank_values=True), {}
            if self.content_type == "multipart/form-data":
                return self._parse_multipart()
            return {}, {}
        except HTTPError:
            self._unreadable("_form", ({}, {}))
            raise

    def _unreadable(self, name: str, empty: Any) -> None:
        """A body that could not be read answers 400 once; after that (the error page) it reads as ``empty``."""
        self.__dict__[name] = empty

    def _parse_multipart(self) -> tuple[dict[str, list[str]], dict[str, list[UploadedFile]]]:
        _, options = multipart.parse_options_header(self.headers.get("content-type", ""))
        boundary = options.get("boundary")
        if not boundary:
            raise HTTPError(400, "The multipart form has no boundary.")
        fields: dict[str, list[str]] = {}
        files: dict[str, list[UploadedFile]] = {}
        try:
            parser = multipart.MultipartParser(
                io.BytesIO(self.body), boundary, len(self.body), memory_limit=MAX_MULTIPART_MEMORY
            )
            for part in parser:
                if part.filename is None:
                    fields.setdefault(part.name, []).append(part.value)
                else:
                    upload = UploadedFile(part.filename, part.content_type or "", part.raw)
                    files.setdefault(part.name, []).append(upload)
        except (multipart.MultipartError, UnicodeDecodeError):
            raise HTTPError(400, "The multipart form is malformed.") from None
        return fields, files

    @cached_property
    def arguments(self) -> dict[str, list[str]]:
        """Query-string and form arguments together (form values last)."""
        merged = {k: list(v) for k, v in self.query_arguments.items()}
        for key, values in self._form[0].items():
            merged.setdefault(key, []).extend(values)
        return merged

    def get_arguments(self, name: str, strip: bool = True) -> list[str]:
        """Every value of ``name`` from the query string and form body."""
        values = self.arguments.get(name, [])
        return [v.strip() for v in values] if strip else list(values)

    @overload
    def get_argument(self, name: str, default: str, strip: bool = True) -> str: ...

    @overload
    def get_argument(self, name: str, default: None = None, strip: bool = True) -> str | None: ...

    def get_argument(self, name: str, default: str | None = None, strip: bool = True) -> str | None:
        """The last value of ``name`` from the query string or form body (``default`` without one)."""
        values = self.get_arguments(name, strip)
        return values[-1] if values else default

    @property
    def files(self) -> dict[str, list[UploadedFile]]:
        """Uploads by form field name."""
        return self._form[1]

    @cached_property
    def json(self) -> Any:
        """The parsed JSON body, or ``None`` when the body is not JSON.

        400 for a body that is not JSON in UTF-8, holds a lone surrogate (``"\\udfff"``: no text can) or
        nests deeper than :data:`MAX_JSON_DEPTH`; 413 for one over :data:`MAX_JSON_BYTES`.
        """
        if not self.content_type.endswith("json") or not self.body:
            return None
        try:
            return parse_json(self.body)
        except HTTPError:
            self._unreadable("json", None)
            raise


def parse_json(data: bytes) -> Any:
    """``data`` parsed as JSON, read as strictly as a JSON body (:attr:`Request.json`): 400 when it is
    not JSON in UTF-8, holds a lone surrogate or nests deeper than :data:`MAX_JSON_DEPTH`; 413 when it
    is over :data:`MAX_JSON_BYTES`."""
    if len(data) > MAX_JSON_BYTES:
        raise HTTPError(413, f"The JSON body is over {MAX_JSON_BYTES // 1024 // 1024} MB.")
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise HTTPError(400, "The request body is not valid JSON.") from None
    if _nests_deeper(value, MAX_JSON_DEPTH):
        raise HTTPError(400, f"The JSON body nests deeper than {MAX_JSON_DEPTH} levels.")
    return value


def _nests_deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) holds arrays or objects more than ``limit`` levels deep."""
    pending = [(value, 1)] if isinstance(value, (dict, list)) else []
    while pending:
        item, depth = pending.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
