"""What the suite's JSON APIs share: whole numbers from the query, ``next`` URLs, query
strings and JSON bodies checked by pydantic models, token-only handlers, and ``POST /tokens``.

Every refusal is an ``HTTPError`` the framework answers as ``{"error": {"code", "message", "fields"}}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_origin, overload
from urllib.parse import urlencode

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationError,
)
from pydantic_core import core_schema

from brubeck.exceptions import HTTPError
from brubeck.responses import Response

from .login import check_login, too_many_attempts
from .models import MAX_URL_LENGTH, User, field_errors
from .sessions import user_for_token
from .tokens import issue_token
from .web import APIHandler

M = TypeVar("M", bound=BaseModel)
MAX_DIGITS = 15
"""The longest whole number taken from a query string (ms since the epoch fit, as in cursors)."""
MAX_NUMBER = 10**MAX_DIGITS - 1
_DIGITS = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")
_TYPE_MESSAGES = {
    "extra_forbidden": "Not a field of this request: leave it out.",
    "string_type": "Use a string.",
    "bool_type": "Use true or false.",
    "list_type": "Use a list.",
    "model_type": "Send a JSON object.",
}
WWW_AUTHENTICATE = {"WWW-Authenticate": 'Token realm="api"'}


def _url_pattern() -> str:
    """What an API takes as a URL (every one :func:`shared.models.normalize_url` accepts as it is): an
    absolute http(s) URI, its host a DNS name of at most 253 ASCII characters or a bracketed IPv6
    address, its port 0 to 65535; read alike by Python and ECMAScript (JSON Schema)."""
    label = "[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
    dns_name = rf"(?=[^:/?#]{{1,253}}(?:[:/?#]|$))(?:{label}\.)*{label}\.?"
    h16 = "[0-9A-Fa-f]{1,4}"
    octet = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
    ls32 = rf"(?:{h16}:{h16}|(?:{octet}\.){{3}}{octet})"
    ipv6 = "|".join(
        [
            rf"(?:{h16}:){{6}}{ls32}",
            rf"::(?:{h16}:){{5}}{ls32}",
            rf"(?:{h16})?::(?:{h16}:){{4}}{ls32}",
            rf"(?:(?:{h16}:){{0,1}}{h16})?::(?:{h16}:){{3}}{ls32}",
            rf"(?:(?:{h16}:){{0,2}}{h16})?::(?:{h16}:){{2}}{ls32}",
            rf"(?:(?:{h16}:){{0,3}}{h16})?::{h16}:{ls32}",
            rf"(?:(?:{h16}:){{0,4}}{h16})?::{ls32}",
            rf"(?:(?:{h16}:){{0,5}}{h16})?::{h16}",
            rf"(?:(?:{h16}:){{0,6}}{h16})?::",
        ]
    )
    port = "(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)"
    pchar = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})"
    rest = rf"(?:/{pchar}*)*(?:\?(?:{pchar}|[/?])*)?(?:#(?:{pchar}|[/?])*)?"
    return rf"^https?://(?:{dns_name}|\[(?:{ipv6})\])(?::{port})?{rest}$"


URL_PATTERN = _url_pattern()
_URL = re.compile(URL_PATTERN)
URL_RULES = (
    "Use an http:// or https:// URL, its host a DNS name in ASCII (xn-- for an international one) or an IP "
    "address, with any other character percent-encoded."
)


def _absolute_url(value: str) -> str:
    if not _URL.fullmatch(value):
        raise ValueError(URL_RULES)
    return value


ApiUrl = Annotated[
    str,
    Field(
        max_length=MAX_URL_LENGTH - 1,
        description=URL_RULES,
        json_schema_extra={"format": "uri", "pattern": URL_PATTERN},
    ),
    AfterValidator(_absolute_url),
]
"""A URL an API takes: :data:`URL_PATTERN` (checked as JSON Schema reads it), one character short of
``MAX_URL_LENGTH`` since the URL of a host alone is stored with a ``/``."""


def whole_number(raw: str, low: int, high: int | None = None) -> int:
    """``raw`` as a whole number written in ASCII digits, from ``low`` to ``high`` (None: no bound);
    ValueError saying what to send."""
    top = MAX_NUMBER if high is None else high
    if not _DIGITS.fullmatch(raw) or not low <= int(raw) <= top:
        bounds = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ValueError(f"Use a whole number {bounds}, in the digits 0 to 9.")
    return int(raw)


@dataclass(frozen=True)
class Digits:
    """Marks a query parameter ``Annotated[int, Digits(low, high)]``: a whole number in ASCII digits."""

    low: int
    high: int = MAX_NUMBER

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def parse(raw: Any) -> Any:
            return whole_number(raw, self.low, self.high) if isinstance(raw, str) else raw

        return core_schema.no_info_before_validator_function(parse, core_schema.int_schema(ge=self.low, le=self.high))


def _flag(raw: Any) -> Any:
    if isinstance(raw, str):
        if raw not in ("true", "false"):
            raise ValueError("Use true or false.")
        return raw == "true"
    return raw


Flag = Annotated[bool, BeforeValidator(_flag)]
"""A query parameter's type: ``true`` or ``false``."""


@overload
def int_argument(handler: APIHandler, name: str, low: int, high: int | None, default: int) -> int: ...


@overload
def int_argument(handler: APIHandler, name: str, low: int, high: int | None, default: None) -> int | None: ...


def int_argument(handler: APIHandler, name: str, low: int, high: int | None, default: int | None) -> int | None:
    """The argument ``name`` as a whole number (:func:`whole_number`), or ``default``; 400 otherwise."""
    raw = handler.get_argument(name, None)
    if raw is None or raw == "":
        return default
    try:
        return whole_number(raw, low, high)
    except ValueError as error:
        raise HTTPError(400, f"{name}: {error}", {name: str(error)}) from None


def next_url(handler: APIHandler, path: str, params: Sequence[tuple[str, Any]]) -> str:
    """``path?params`` on the site's configured address, never the request's Host header."""
    return f"{handler.application.site.url}{path}?{urlencode(params)}"


def field_messages(error: ValidationError) -> dict[str, str]:
    """One message per field, in words for people (unknown fields and wrong types included)."""
    messages = field_errors(error)
    for item in error.errors():
        field = str(item["loc"][0]) if item["loc"] else "form"
        if item["type"] in _TYPE_MESSAGES and field in messages:
            messages[field] = _TYPE_MESSAGES[item["type"]]
    return messages


def invalid(error: ValidationError, what: str) -> HTTPError:
    """A 400 naming each bad field of ``what`` ("the query", "the body")."""
    fields = field_messages(error)
    details = " ".join(f"{name}: {text}" for name, text in fields.items())
    return HTTPError(400, f"Check {what}. {details}", fields)


def parse_query(arguments: dict[str, list[str]], model: type[M]) -> M:
    """The query string's arguments checked by ``model`` (list fields repeat, the others come once);
    400 naming each bad or unknown argument."""
    values: dict[str, Any] = {}
    for name, given in arguments.items():
        field = model.model_fields.get(name)
        if field is not None and get_origin(field.annotation) is list:
            values[name] = given
        elif len(given) > 1:
            raise HTTPError(400, f"Give {name} once.", {name: "Give it once."})
        else:
            values[name] = given[0]
    try:
        return model.model_validate(values)
    except ValidationError as error:
        raise invalid(error, "the query") from None


class TokenAPIHandler(APIHandler):
    """An API handler whose only credential is ``Authorization: Token <key>`` (a cookie signs no one
    in, so no request needs a CSRF token); answers are never cached."""

    csrf_protect = False

    def get_current_user(self) -> User | None:
        key = self._api_key()
        return user_for_token(self.store, key, self.current_time) if key else None

    def initialize(self) -> None:
        self.headers["Cache-Control"] = "no-store"  # on every answer, the router's 404 and 405 too

    def auth_error(self) -> Any:
        """401: the key is missing, revoked or not one."""
        raise HTTPError(
            401, "Send Authorization: Token <key> with a valid key (POST /tokens makes one).", headers=WWW_AUTHENTICATE
        )

    def json_body(self, model: type[M]) -> M:
        """The body, a JSON object checked by ``model``; 415 unless it is ``application/json``, 400 otherwise."""
        body = self.read_json()
        if not isinstance(body, dict):
            raise HTTPError(400, "Send a JSON object.")
        try:
            return model.model_validate(body)
        except ValidationError as error:
            raise invalid(error, "the body") from None


class Credentials(BaseModel):
    """``POST /tokens``: the account's username and password, and a label for the new token."""

    model_config = ConfigDict(extra="forbid", strict=True)

    username: str = Field(max_length=100)
    password: str = Field(max_length=1000)
    name: str = Field(default="Made with POST /tokens", min_length=1, max_length=80, description="the token's label")


class NewToken(BaseModel):
    """A new API key: shown once, never stored (revoke it on the site's tokens page)."""

    model_config = ConfigDict(extra="forbid")

    token: str


class TokensAPIHandler(TokenAPIHandler):
    """``POST /tokens``: a new API key for a username and password, throttled like the login form."""

    def post(self) -> Response:
        credentials = self.json_body(Credentials)
        result = check_login(self.store, credentials.username, credentials.password, self.message.remote_addr)
        if result.refused:
            raise HTTPError(
                429, too_many_attempts(result.retry_after_s), headers={"Retry-After": str(result.retry_after_s)}
            )
        if result.user is None:
            raise HTTPError(401, "Wrong username or password.", headers=WWW_AUTHENTICATE)
        _, key = issue_token(self.store, result.user.id, credentials.name)
        self.set_body(NewToken(token=key).model_dump())
        return self.render(status_code=201)
