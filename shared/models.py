"""The suite's shared data: users, API tokens, what every saved link has, and the rules of URLs and text.

Models validate input (pydantic v2) and convert to and from database
documents.  ``field_errors`` turns a validation failure into one readable
message per field, for forms and for the JSON API.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
from typing import Any, ClassVar, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator

from brubeck.auth import MAX_PASSWORD_BYTES
from brubeck.models import BrubeckModel
from brubeck.models import User as BaseUser
from brubeck.timekeeping import curtime

MIN_PASSWORD_LENGTH = 8
MAX_URL_LENGTH = 2048
MAX_TITLE_LENGTH = 500
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_DNS_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and newline: nothing a person types, and XML (the Atom feed) forbids most."""
INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
"""Characters that show nothing yet change what a person reads: direction overrides and marks (U+202E
turns "moc.elgoog" around), zero-width spaces and joiners-that-are-not (U+200B, U+2060, U+FEFF), the soft
hyphen.  Not U+200C and U+200D, which scripts and emoji sequences need, nor the emoji tag characters."""


def without_invisible(text: str) -> str:
    """``text`` without :data:`INVISIBLE` characters."""
    return INVISIBLE.sub("", text)


def plain_text(value: Any) -> Any:
    """``value`` trimmed, without control or invisible characters (tab and newline stay), when it is text."""
    if not isinstance(value, str):
        return value
    return without_invisible(_CONTROL.sub("", value.replace("\r\n", "\n"))).strip()


def ascii_host(host: str) -> str:
    """``host`` in ASCII: an internationalised name in its punycode form (its dots, ideographic or full-width
    ones too, as "."), as browsers show a name that mixes scripts."""
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    try:
        return host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return host


def check_host(host: str) -> None:
    """ValueError unless ``host`` (lower case) is an IP address or a DNS name (IDN allowed) by the rules of DNS."""
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("the host name is not valid") from None
    labels = ascii_host.removesuffix(".").split(".")
    if len(ascii_host) > 253 or not all(_DNS_LABEL.fullmatch(label) for label in labels):
        raise ValueError("the host name is not valid: use letters, digits and dashes, like example.com")


def _characters(count: object) -> str:
    shown = f"{count:,}" if isinstance(count, int) else count
    return f"{shown} character{'' if count == 1 else 's'}"


def field_errors(error: ValidationError) -> dict[str, str]:
    """``{field: message}`` from a pydantic error, in words for people."""
    messages: dict[str, str] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        kind, context = item["type"], item.get("ctx") or {}
        if kind == "string_too_long":
            text = f"Use at most {_characters(context.get('max_length'))}."
        elif kind == "string_too_short":
            text = f"Use at least {_characters(context.get('min_length'))}."
        elif kind == "missing":
            text = "This is required."
        elif kind == "value_error" and "email" in str(item.get("msg", "")).lower():
            text = "That does not look like an email address."
        else:
            text = str(item.get("msg", "is not valid")).removeprefix("Value error, ")
            text = text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
        messages.setdefault(field, text)
    return messages


def check_new_password(password: str) -> str | None:
    """What is wrong with a new password, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password.encode("utf-8")) > MAX_PASSWORD_BYTES:
        return f"Use at most {MAX_PASSWORD_BYTES} bytes."
    return None


class Document(BrubeckModel):
    """A model stored in a collection, its ``id`` kept as ``_id``."""

    collection: ClassVar[str]

    id: str

    def to_document(self) -> dict[str, Any]:
        document = self.model_dump(exclude={"id"})
        document["_id"] = self.id
        return document

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Self:
        data = dict(document)
        data["id"] = str(data.pop("_id"))
        return cls.model_validate(data)


class User(Document, BaseUser):
    """An account; its id is the lower-case username, so names are unique.

    ``session_epoch`` is part of every session cookie: logging out raises
    it, which ends every session of the account.
    """

    collection: ClassVar[str] = "users"
    private_fields: ClassVar[frozenset[str]] = BaseUser.private_fields | {"session_epoch"}

    id: str = ""
    session_epoch: int = 0

    def model_post_init(self, context: Any) -> None:
        if not self.id:
            self.id = self.username


class ApiToken(Document):
    """An API key's record; only the key's SHA-256 is stored, as the id."""

    collection: ClassVar[str] = "tokens"

    owner: str
    name: str = Field(default="API token", min_length=1, max_length=80)
    prefix: str = ""
    created_at: int = Field(default_factory=curtime)
    last_used_at: int | None = None

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, owner: str, name: str) -> tuple[ApiToken, str]:
        """A new token and its key (shown to the user once, never stored)."""
        key = secrets.token_urlsafe(32)
        label = " ".join(plain_text(name).split()) or "API token"
        return cls(id=cls.hash_key(key), owner=owner, name=label, prefix=key[:6]), key


def normalize_url(raw: str) -> str:
    """The one form a URL is stored in.

    Surrounding spaces go; a URL with no scheme (``example.com/a``,
    ``localhost:8000``) gets ``https://``; only http
    and https are accepted; scheme and host are lower-cased, the host in its
    ASCII form; the default port is dropped; an empty path becomes ``/``.
    Query and fragment are kept.  Invisible characters are refused.
    """
    url = raw.strip()
    if not url:
        raise ValueError("enter a URL")
    if any(ord(c) < 33 or c == "\x7f" for c in url):
        raise ValueError("a URL cannot contain spaces or control characters")
    if INVISIBLE.search(url):
        raise ValueError("a URL cannot contain invisible or direction-changing characters")
    scheme = _SCHEME.match(url)
    host_and_port = (
        scheme is not None
        and ("." in scheme.group(1) or scheme.group(1).lower() == "localhost")
        and not url[scheme.end() :].startswith("//")
    )
    if scheme is None or host_and_port:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("only http:// and https:// links can be saved")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        raise ValueError("the port is not a number between 0 and 65535") from None
    if not host or host.startswith(".") or ".." in host:
        raise ValueError("the URL needs a host name, like example.com")
    check_host(host)
    host = ascii_host(host)  # what a look-alike cannot hide in: еxample.com is xn--xample-2of.com
    scheme_name = parts.scheme.lower()
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and (scheme_name, port) not in (("http", 80), ("https", 443)):
        netloc += f":{port}"
    if parts.username or parts.password:
        raise ValueError("links with a user name or password in them cannot be saved")
    normalized = urlunsplit((scheme_name, netloc, parts.path or "/", parts.query, parts.fragment))
    if len(normalized) > MAX_URL_LENGTH:
        raise ValueError(f"use at most {MAX_URL_LENGTH:,} characters")
    return normalized


class SavedLink(Document):
    """What every saved link has: its owner, its URL (normalised), a title (spaces folded), its times."""

    owner: str
    url: str
    title: str = Field(default="", max_length=MAX_TITLE_LENGTH)
    created_at: int = Field(default_factory=curtime)
    updated_at: int = Field(default_factory=curtime)

    @field_validator("url")
    @classmethod
    def _normalize(cls, value: str) -> str:
        return normalize_url(value)

    @field_validator("title", mode="before")
    @classmethod
    def _strip_title(cls, value: Any) -> Any:
        return " ".join(plain_text(value).split()) if isinstance(value, str) else value

    @property
    def host(self) -> str:
        """The host name shown beside the title, in ASCII (links saved before hosts were stored so)."""
        return ascii_host(urlsplit(self.url).hostname or "")
