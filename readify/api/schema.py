"""The API's shapes as pydantic models: the queries and bodies it takes (checked by these very models)
and the answers it sends (built through them), from which /openapi.json is made."""

from __future__ import annotations

import functools
import re
import sys
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, GetJsonSchemaHandler, model_validator

from shared.api import ApiUrl, Digits, Flag
from shared.models import MAX_TITLE_LENGTH
from shared.paging import CURSORS

from ..models import MAX_DESCRIPTION_LENGTH, ReadifyLink
from ..tags import EMOJI, MAX_TAG_LENGTH, MAX_TAGS, check_tag

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_SEARCH_LENGTH = 200
LINK_ID = r"^[0-9a-f]{24}$"
TAG_RULES = (
    f"A tag is lower-cased; at most {MAX_TAG_LENGTH} letters, digits, emoji, '-', '_' or '.'; "
    f"a link has at most {MAX_TAGS} (duplicates count once)."
)
MS = "milliseconds since the epoch (UTC)"
NOTES = (
    "the reader's notes on the link (a bookmark file's description): plain text, line breaks kept; "
    "on the public profile and its feed unless the link is private"
)


class Closed(BaseModel):
    """Takes or sends exactly its fields."""

    model_config = ConfigDict(extra="forbid")


class Strict(Closed):
    """A JSON body: exactly its fields, each of its JSON type (no "1" for true)."""

    model_config = ConfigDict(extra="forbid", strict=True)


# -- answers ---------------------------------------------------------------------------------------------


class Link(Closed):
    """A saved link, as its owner sees it."""

    id: str = Field(pattern=LINK_ID)
    url: str
    title: str
    description: str = Field(description=NOTES)
    tags: list[str]
    liked: bool
    archived: bool
    private: bool = Field(description="private links are never on the public profile")
    created_at: int = Field(description=f"when it was saved, in {MS}")
    updated_at: int = Field(description=f"its last change, in {MS}")

    @classmethod
    def of(cls, link: ReadifyLink) -> dict[str, Any]:
        return cls.model_validate(link.to_api()).model_dump()


class Deleted(Closed):
    """A tombstone: the link was deleted (or put in the trash) at ``updated_at``."""

    id: str = Field(pattern=LINK_ID)
    deleted: Literal[True]
    updated_at: int = Field(description=MS)


class LinkPage(Closed):
    """A page of links, newest saved first (with ``since``: last changed first, deletions included)."""

    items: list[Link | Deleted]
    next: str | None = Field(description="the absolute URL of the next page, or null on the last one")


class SavedCheck(Closed):
    """Whether the URL is saved (out of the trash), and as which link."""

    saved: bool
    link: Link | None


class TagCount(Closed):
    name: str
    count: int = Field(ge=1, description="how many links (out of the trash) carry it")


class TagList(Closed):
    """The reader's tags, by name."""

    items: list[TagCount]


class TagChange(Closed):
    """What a rename did."""

    name: str = Field(description="the tag's new name")
    changed: int = Field(ge=1, description="how many links changed")


class Me(Closed):
    """The reader: account and profile."""

    username: str
    display_name: str
    bio: str
    location: str
    website: str
    avatar_url: str = Field(description="the profile's picture, or the Gravatar of its email")
    new_links_private: bool = Field(
        description="your setting (on Readify's /settings): a link saved without `private` is private"
    )
    created_at: int = Field(description=f"when the account was made, in {MS}")


class Index(Closed):
    """Where things are."""

    name: str
    links: str
    tags: str
    me: str
    tokens: str
    openapi: str


class OpenAPIDocument(BaseModel):
    """An OpenAPI 3.1 document."""

    model_config = ConfigDict(extra="allow")

    openapi: str
    info: dict[str, Any]
    paths: dict[str, Any]


class ErrorDetail(Closed):
    code: int = Field(description="the HTTP status")
    message: str = Field(description="what went wrong, for people")
    fields: dict[str, str] = Field(default_factory=dict, description="what is wrong with each bad field")


class Error(Closed):
    """Every refusal."""

    error: ErrorDetail


# -- bodies ------------------------------------------------------------------------------------------------


def _tag(value: str) -> str:
    if value != value.strip():
        raise ValueError("a tag cannot start or end with a space")
    check_tag(value)
    return value


@functools.cache
def tag_schema() -> dict[str, Any]:
    """The JSON schema of a tag as the API takes it (:data:`Tag`): each character one that
    :func:`readify.tags.check_tag` keeps as one character, listed as ranges of every code point (so that
    Python and ECMAScript read the pattern alike)."""
    every = "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, sys.maxunicode + 1)))
    ranges: list[list[str]] = []
    for char in re.findall(rf"[\w.\-{EMOJI}]", every):  # a tag's characters are among these
        try:
            check_tag(char)
        except ValueError:
            continue
        if ranges and ord(ranges[-1][1]) == ord(char) - 1:
            ranges[-1][1] = char
        else:
            ranges.append([char, char])
    escaped = [["\\" + char if char in "\\]^-" else char for char in pair] for pair in ranges]
    chars = "".join(first if first == last else f"{first}-{last}" for first, last in escaped)
    return {"type": "string", "pattern": f"^[{chars}]{{1,{MAX_TAG_LENGTH}}}$", "description": TAG_RULES}


class _TagSchema:
    """Describes a tag with :func:`tag_schema`, made when a JSON schema is first asked for."""

    def __get_pydantic_json_schema__(self, core: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        return dict(tag_schema())


Tag = Annotated[str, AfterValidator(_tag), _TagSchema()]
"""A tag as the API takes it, as it is written: check_tag's characters, at most 50 of them."""
Tags = Annotated[list[Tag], Field(max_length=MAX_TAGS, description=TAG_RULES)]


class NewLink(Strict):
    """A link to save; a URL saved already updates that link (its title and notes if given, tags added, out of
    the archive and the trash)."""

    url: ApiUrl
    title: str = Field(default="", max_length=MAX_TITLE_LENGTH)
    description: str = Field(default="", max_length=MAX_DESCRIPTION_LENGTH, description=NOTES)
    tags: Tags = Field(default_factory=list)
    private: bool = Field(
        default_factory=bool,
        description="left out: a new link follows your setting new_links_private (GET /me), a saved one keeps its flag",
    )

    model_config = ConfigDict(json_schema_extra={"examples": [{"url": "https://example.com/", "tags": ["news"]}]})


class LinkChanges(Strict):
    """The fields to change, at least one."""

    # Each left out is not changed (a factory's default is not part of the schema, and is never used).
    url: ApiUrl = Field(default_factory=str)
    title: str = Field(default_factory=str, max_length=MAX_TITLE_LENGTH)
    description: str = Field(default_factory=str, max_length=MAX_DESCRIPTION_LENGTH, description=NOTES)
    tags: Tags = Field(default_factory=list)
    private: bool = Field(default_factory=bool)
    liked: bool = Field(default_factory=bool)
    archived: bool = Field(default_factory=bool)

    model_config = ConfigDict(json_schema_extra={"minProperties": 1})

    @model_validator(mode="after")
    def _something(self) -> LinkChanges:
        if not self.model_fields_set:
            raise ValueError("send at least one of url, title, description, tags, private, liked, archived")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(include=self.model_fields_set)


class TagRename(Strict):
    """The tag's new name; a name in use already merges the two."""

    name: Tag


# -- query strings ---------------------------------------------------------------------------------------


class NoQuery(Closed):
    """No query parameter."""


class LinksQuery(Closed):
    """``GET /links``."""

    tag: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS, description="only links carrying every one given")
    q: str = Field(
        default="", max_length=MAX_SEARCH_LENGTH, description="words starting words of title, URL, notes or tags"
    )
    liked: Flag | None = Field(default=None, description="only liked (true) or not liked (false) links")
    archived: Flag | None = Field(default=None, description="only archived (true) or unarchived (false) links")
    since: Annotated[int, Digits(0)] | None = Field(
        default=None,
        description=f"only what changed after this time ({MS}), deletions as tombstones; not with the filters",
    )
    limit: Annotated[int, Digits(1, MAX_LIMIT)] = Field(default=DEFAULT_LIMIT, description="links a page")
    cursor: str | None = Field(
        default=None,
        min_length=1,  # an empty one is no cursor of ours either (not the first page): 400, as the pattern says
        description="from the next URL of the page before",
        json_schema_extra={"pattern": CURSORS.pattern},
    )

    def filters(self) -> list[str]:
        """The filters given (which ``since`` cannot be combined with)."""
        return [name for name in ("tag", "q", "liked", "archived") if name in self.model_fields_set]


class CheckQuery(Closed):
    """``GET /links/check``."""

    url: ApiUrl = Field(description="the URL to look up")
