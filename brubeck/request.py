"""The incoming request, from a Mongrel2 frame or a WSGI environ.

Bodies are parsed lazily: ``arguments`` merges the query string with an
urlencoded or multipart form, ``files`` holds uploads, ``json`` the parsed
JSON body.  A malformed body raises :class:`HTTPError` 400 when first read.
"""

from __future__ import annotations

import io
import json as jsonlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import parse_qs, unquote

import multipart

from .mongrel2 import Frame, split_frame
from .responses import HTTPError

MAX_MULTIPART_MEMORY = 64 * 1024 * 1024
MONGREL2_ONLY_KEYS = ("URI", "PATTERN", "FRAGMENT")  # Mongrel2's keys a Request does not keep


@dataclass(frozen=True)
class UploadedFile:
    """One file from a multipart form: ``upload.body``, or ``upload['body']`` as in Brubeck 0.4."""

    filename: str
    content_type: str
    body: bytes

    def __getitem__(self, key: str) -> str | bytes:
        if key not in ("filename", "content_type", "body"):
            raise KeyError(key)
        value: str | bytes = getattr(self, key)
        return value


def _header_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def parse_cookie_header(header: str) -> dict[str, str]:
    """Parse a ``Cookie`` header leniently; the first value of a name wins."""
    cookies: dict[str, str] = {}
    for chunk in header.split(";"):
        name, eq, value = chunk.strip().partition("=")
        if eq and name and name not in cookies:
            value = value.strip()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            cookies[name] = unquote(value)
    return cookies


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
        self._fill(method, path, query_string, {k.lower(): v for k, v in (headers or {}).items()}, body,
                   sender, conn_id, version, scheme, remote_addr)

    def _fill(self, method: str, path: str, query_string: str, headers: dict[str, str], body: bytes,
              sender: str, conn_id: str, version: str, scheme: str, remote_addr: str) -> None:
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

    @classmethod
    def from_frame(cls, frame: Frame) -> Request:
        """Build from a parsed Mongrel2 frame."""
        return cls._from_parts(*frame)

    @classmethod
    def parse_mongrel2(cls, message: bytes) -> Request:
        """Parse raw bytes from Mongrel2 (raises ``FrameError`` on garbage)."""
        return cls._from_parts(*split_frame(message))

    @classmethod
    def _from_parts(cls, sender: str, conn_id: str, frame_path: str, raw: dict[str, Any], body: bytes) -> Request:
        # Mongrel2's own keys are upper-case (METHOD, PATH, QUERY...); HTTP header names arrive lower-case.
        headers = raw.copy()
        for value in raw.values():
            if value.__class__ is not str:  # rare: a repeated header arrives as a list
                headers = {k: _header_value(v) for k, v in raw.items()}
                break
        pop = headers.pop
        method, path, query = pop("METHOD", "GET"), pop("PATH", frame_path), pop("QUERY", "")
        version, scheme, remote = pop("VERSION", "HTTP/1.1"), pop("URL_SCHEME", "http"), pop("REMOTE_ADDR", "")
        for key in MONGREL2_ONLY_KEYS:
            pop(key, None)
        for key in headers:
            if key.isupper():  # rare: a key of Mongrel2's that is not known here
                headers = {k: v for k, v in headers.items() if not k.isupper()}
                break
        request = cls.__new__(cls)
        request._fill(method, unquote(path) if "%" in path else path, query, headers, body, sender, conn_id,
                      version, scheme, remote or headers.get("x-forwarded-for", "").split(",")[0].strip())
        return request

    @classmethod
    def from_wsgi(cls, environ: dict[str, Any]) -> Request:
        """Build from a WSGI environ, reading the whole body."""
        headers = {k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")}
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = environ[key]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        return cls(
            method=environ.get("REQUEST_METHOD", "GET"),
            path=path,
            query_string=environ.get("QUERY_STRING", ""),
            headers=headers,
            body=body,
            version=environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
            scheme=environ.get("wsgi.url_scheme", "http"),
            remote_addr=headers.get("x-forwarded-for", environ.get("REMOTE_ADDR", "")).split(",")[0].strip(),
        )

    # Mongrel2 tells a handler that a client went away with a JSON message.
    def is_disconnect(self) -> bool:
        """True for Mongrel2's notice that the client closed its connection."""
        if self.method != "JSON":
            return False
        try:
            return jsonlib.loads(self.body).get("type") == "disconnect"
        except (ValueError, AttributeError):
            return False

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
        if self.content_type == "application/x-www-form-urlencoded":
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                raise HTTPError(400, "The form data is not valid UTF-8.") from None
            return parse_qs(text, keep_blank_values=True), {}
        if self.content_type == "multipart/form-data":
            return self._parse_multipart()
        return {}, {}

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
        """The parsed JSON body, or ``None`` when the body is not JSON."""
        if not self.content_type.endswith("json") or not self.body:
            return None
        try:
            return jsonlib.loads(self.body)
        except (UnicodeDecodeError, ValueError):
            raise HTTPError(400, "The request body is not valid JSON.") from None
