"""Cookies: the ``Cookie`` header parsed, signed values, ``Set-Cookie`` headers.

Signed values are JSON, signed with HMAC-SHA256 and a timestamp by
itsdangerous; the cookie's name is part of the signature, so a value signed
for one cookie is refused under another.  A tampered, expired or
foreign-key value reads as absent.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, unquote

from itsdangerous import BadData, URLSafeTimedSerializer

DEFAULT_MAX_AGE = 30 * 24 * 3600
_SAMESITE = {"lax": "Lax", "strict": "Strict", "none": "None"}


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


@functools.lru_cache(maxsize=64)
def _serializer(secret: str | bytes, name: str) -> URLSafeTimedSerializer:
    """The signer of cookie ``name`` (made once: a page reads two or three signed cookies)."""
    return URLSafeTimedSerializer(
        secret, salt=f"brubeck.cookie:{name}", signer_kwargs={"digest_method": hashlib.sha256}
    )


def sign_value(secret: str | bytes, name: str, value: Any) -> str:
    """Sign a JSON-serialisable value for the cookie ``name``."""
    return _serializer(secret, name).dumps(value)


def unsign_value(secret: str | bytes, name: str, signed: str, max_age: int = DEFAULT_MAX_AGE) -> Any:
    """Return the value signed by :func:`sign_value`, or ``None`` if bad or too old."""
    try:
        return _serializer(secret, name).loads(signed, max_age=max_age)
    except BadData:
        return None


def set_cookie_header(
    name: str,
    value: str,
    *,
    max_age: int | None = None,
    path: str = "/",
    domain: str | None = None,
    secure: bool = False,
    httponly: bool = True,
    samesite: str | None = "Lax",
) -> str:
    """Format one ``Set-Cookie`` value; ``max_age=0`` deletes the cookie."""
    if not name or any(c in name for c in '()<>@,;:\\"/[]?={} \t\r\n'):
        raise ValueError(f"invalid cookie name: {name!r}")
    parts = [f"{name}={quote(value, safe='')}", f"Path={quote(path, safe='/')}"]
    if max_age is not None:
        expires = datetime.fromtimestamp(datetime.now(UTC).timestamp() + max_age, UTC)
        parts += [f"Max-Age={int(max_age)}", "Expires=" + format_datetime(expires, usegmt=True)]
    if domain:
        parts.append(f"Domain={quote(domain, safe='.-')}")
    if secure or (samesite or "").lower() == "none":
        parts.append("Secure")
    if httponly:
        parts.append("HttpOnly")
    if samesite:
        parts.append("SameSite=" + _SAMESITE[samesite.lower()])
    return "; ".join(parts)
