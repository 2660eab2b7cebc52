"""Readify's JSON API: a class per endpoint, each declaring what it takes and answers (see operations.py).

Every endpoint but ``/``, ``/openapi.json`` and ``POST /tokens`` needs ``Authorization: Token <key>``
and acts on the reader's own links only: another reader's link id is not found, and changes nothing.
"""

from __future__ import annotations

from pydantic import ValidationError

from brubeck.cursors import BadCursor, bad_cursor
from brubeck.exceptions import HTTPError
from brubeck.openapi import Reply
from brubeck.responses import Response
from readify.pages import sentence
from shared.api import Credentials, NewToken, TokensAPIHandler, field_messages, invalid, next_url
from shared.limits import ListFull

from ..fetching import PageInfoCaller, TitleUnavailable
from ..links import (
    AlreadySaved,
    apply_action,
    change_link,
    changes_since,
    filter_tags,
    find_saved,
    get_link,
    list_links,
    remove_tag,
    rename_tag,
    save_link,
    tag_counts,
)
from ..models import ReadifyLink
from ..profiles import avatar_url, get_profile
from ..tags import MAX_TAGS, check_tag
from .openapi import document
from .operations import Endpoint, operation
from .schema import (
    LINK_ID,
    CheckQuery,
    Error,
    Index,
    Link,
    LinkChanges,
    LinkPage,
    LinksQuery,
    Me,
    NewLink,
    OpenAPIDocument,
    SavedCheck,
    Tag,
    TagChange,
    TagCount,
    TagList,
    TagRename,
)

NO_SUCH_LINK = "You have no link with that id."
NO_SUCH_TAG = "None of your links carries that tag."
NOT_FOUND = Reply("You have no such link (another reader's link is not found either)", Error)
URL_TAKEN = Reply("You saved that URL already, as another link", Error)
NO_TAG = Reply("None of your links carries that tag", Error)


class ReaderEndpoint(Endpoint):
    """An endpoint acting on the signed-in reader's links."""

    @property
    def owner(self) -> str:
        owner: str = self.current_user.id
        return owner

    def own_link(self, link_id: str) -> ReadifyLink:
        """The reader's link out of the trash; 404 otherwise."""
        link = get_link(self.store, self.owner, link_id)
        if link is None or link.in_trash:
            raise HTTPError(404, NO_SUCH_LINK)
        return link


class IndexHandler(Endpoint):
    """``/``: where the endpoints are."""

    path = "/"
    operations = {
        "get": operation("Where the endpoints are", {200: Reply("The endpoints' addresses", Index)}, auth=False)
    }

    def get(self) -> Response:
        site = self.application.site.url
        paths = {name: f"{site}/{name}" for name in ("links", "tags", "me", "tokens")}
        return self.reply(200, Index(name="Readify API", openapi=f"{site}/openapi.json", **paths).model_dump())


class LinksHandler(PageInfoCaller, ReaderEndpoint):
    """``/links``: GET lists the reader's links (or what changed since a time), POST saves one (without a
    title, it gets its page's once the page fetcher has read it)."""

    path = "/links"
    operations = {
        "get": operation(
            "List your links",
            {200: Reply("A page of links", LinkPage)},
            query=LinksQuery,
            description="Newest saved first, out of the trash; `since` lists what changed instead, "
            "last change first, with a tombstone for each link deleted or put in the trash.",
        ),
        "post": operation(
            "Save a link",
            {
                201: Reply("Saved", Link, {"Location": "the link's URL in this API"}),
                200: Reply("You had saved that URL already: that link, updated", Link),
                403: Reply("Your list is full (LINKS_PER_ACCOUNT)", Error),
                409: Reply(
                    "The same URL was being saved at the same moment (try again), or the link saved with it "
                    f"would carry more than {MAX_TAGS} tags",
                    Error,
                ),
            },
            body=NewLink,
            description="Without a title, the link gets its page's title once the page fetcher has read it "
            "(a moment later; meanwhile its title is empty). Without `private`, a new link follows your setting "
            "`new_links_private` (GET /me).",
        ),
    }

    def get(self) -> Response:
        query = self.inputs(LinksQuery)
        try:
            tags = filter_tags(query.tag)
        except ValueError as error:
            raise HTTPError(400, sentence(error), {"tag": sentence(error)}) from None
        try:
            if query.since is None:
                links = list_links(
                    self.store,
                    self.owner,
                    limit=query.limit,
                    cursor=query.cursor,
                    tags=tags,
                    search=query.q,
                    liked=query.liked,
                    archived=query.archived,
                )
                items, cursor = [link.to_api() for link in links.items], links.next_cursor
            elif query.filters():
                message = f"since lists every change: leave out {', '.join(query.filters())}."
                raise HTTPError(400, message, {"since": message})
            else:
                changes = changes_since(self.store, self.owner, query.since, limit=query.limit, cursor=query.cursor)
                items, cursor = [item.to_api() for item in changes.items], changes.next_cursor
        except BadCursor:
            raise bad_cursor() from None
        later = next_url(self, "/links", self._next_query(query, cursor)) if cursor else None
        return self.reply(200, LinkPage.model_validate({"items": items, "next": later}).model_dump())

    @staticmethod
    def _next_query(query: LinksQuery, cursor: str) -> list[tuple[str, object]]:
        pairs: list[tuple[str, object]] = [("tag", tag) for tag in query.tag]
        given = query.model_dump(include=query.model_fields_set - {"tag", "cursor", "limit"})
        pairs += [(name, str(value).lower() if isinstance(value, bool) else value) for name, value in given.items()]
        return [*pairs, ("limit", query.limit), ("cursor", cursor)]

    def post(self) -> Response:
        new = self.inputs(NewLink)
        try:
            private = new.private if "private" in new.model_fields_set else None  # left out: kept, or the setting
            link, created = save_link(
                self.store,
                self.owner,
                new.url,
                new.title,
                new.tags,
                private,
                description=new.description,
                default_private=private is None and get_profile(self.store, self.owner).new_links_private,
                limit=self.application.config.links_per_account,
            )
        except ValidationError as error:
            if "tags" in field_messages(error):  # the body's are good: with the link's own they are too many
                message = f"That link has tags already: with these it would have more than {MAX_TAGS}."
                raise HTTPError(409, message, {"tags": message}) from None
            raise invalid(error, "the body") from None
        except ListFull as full:
            raise HTTPError(403, f"Your list is full: an account keeps at most {full.limit:,} links.") from None
        except AlreadySaved:
            raise HTTPError(409, "That URL was being saved at the same moment. Try again.") from None
        if created:
            self.headers["Location"] = f"{self.application.site.url}/links/{link.id}"
        self.fetch_title_later(link)
        return self.reply(201 if created else 200, Link.of(link))


class LinkCheckHandler(ReaderEndpoint):
    """``/links/check?url=``: is this URL saved already, and as which link (what a browser extension asks)."""

    path = "/links/check"
    operations = {"get": operation("Is this URL saved?", {200: Reply("The answer", SavedCheck)}, query=CheckQuery)}

    def get(self) -> Response:
        url = self.inputs(CheckQuery).url
        try:
            link = find_saved(self.store, self.owner, url)
        except ValueError as error:
            raise HTTPError(400, sentence(error), {"url": sentence(error)}) from None
        found = link if link is not None and not link.in_trash else None
        return self.reply(200, {"saved": found is not None, "link": Link.of(found) if found else None})


class LinkHandler(ReaderEndpoint):
    """``/links/<id>``: one of the reader's links: GET, PATCH some of its fields, DELETE (to the trash)."""

    path = "/links/{link_id}"
    path_patterns = {"link_id": LINK_ID.strip("^$")}
    operations = {
        "get": operation("One of your links", {200: Reply("The link", Link), 404: NOT_FOUND}),
        "patch": operation(
            "Change some of a link's fields",
            {200: Reply("The changed link", Link), 404: NOT_FOUND, 409: URL_TAKEN},
            body=LinkChanges,
        ),
        "delete": operation(
            "Delete a link",
            {204: Reply("Deleted: in the trash of Readify's pages for 30 days, a tombstone for since"), 404: NOT_FOUND},
        ),
    }

    def get(self, link_id: str) -> Response:
        return self.reply(200, Link.of(self.own_link(link_id)))

    def patch(self, link_id: str) -> Response:
        changes = self.inputs(LinkChanges).changes()
        try:
            link = change_link(self.store, self.owner, link_id, changes)
        except ValidationError as error:
            raise invalid(error, "the body") from None
        except AlreadySaved as taken:
            where = f" as link {taken.link.id}" if taken.link else ""
            raise HTTPError(409, f"You saved that URL already{where}.", {"url": "Saved already."}) from None
        if link is None:
            raise HTTPError(404, NO_SUCH_LINK)
        return self.reply(200, Link.of(link))

    def delete(self, link_id: str) -> Response:
        if apply_action(self.store, self.owner, link_id, "delete") is None:
            raise HTTPError(404, NO_SUCH_LINK)
        return self.reply(204)


class LinkRefreshHandler(PageInfoCaller, ReaderEndpoint):
    """``/links/<id>/refresh``: POST gives the link the title its page has now (waits for the page fetcher)."""

    path = "/links/{link_id}/refresh"
    path_patterns = LinkHandler.path_patterns
    operations = {
        "post": operation(
            "Give a link its page's title",
            {
                200: Reply("The link, with the page's title", Link),
                404: NOT_FOUND,
                422: Reply("The page could not be read, or has no title: error.message says why", Error),
                503: Reply("The database cannot be reached, or fetching titles is not set up here", Error),
                504: Reply("The page fetcher did not answer in time (it may be down): try again later", Error),
            },
            description="Fetches the link's page (http and https only, public addresses only, at most 1 MB, "
            "at most 5 seconds) and sets the link's title to the page's `og:title`, else its `<title>`.",
        ),
    }

    def post(self, link_id: str) -> Response:
        try:
            link = self.refresh_title(self.own_link(link_id))
        except TitleUnavailable as error:
            raise HTTPError(error.status, error.message) from None
        return self.reply(200, Link.of(link))


class TagsHandler(ReaderEndpoint):
    """``/tags``: the reader's tags with how many links carry each."""

    path = "/tags"
    operations = {"get": operation("Your tags", {200: Reply("Every tag, by name", TagList)})}

    def get(self) -> Response:
        counts = [TagCount(name=name, count=count) for name, count in tag_counts(self.store, self.owner)]
        return self.reply(200, TagList(items=counts).model_dump())


class TagHandler(ReaderEndpoint):
    """``/tags/<name>``: PATCH renames the tag on every link (merging it into a tag in use), DELETE removes it."""

    path = "/tags/{name}"
    path_patterns = {"name": "[^/]+"}
    path_schemas = {"name": Tag}
    operations = {
        "patch": operation(
            "Rename a tag (onto a tag in use: merge the two)",
            {200: Reply("Renamed", TagChange), 404: NO_TAG},
            body=TagRename,
        ),
        "delete": operation("Take a tag off every link", {204: Reply("Removed"), 404: NO_TAG}),
    }

    def patch(self, name: str) -> Response:
        try:
            new = check_tag(self.inputs(TagRename).name)
        except ValueError as error:
            raise HTTPError(400, sentence(error), {"name": sentence(error)}) from None
        changed = rename_tag(self.store, self.owner, name, new)
        if not changed:
            raise HTTPError(404, NO_SUCH_TAG)
        return self.reply(200, TagChange(name=new, changed=changed).model_dump())

    def delete(self, name: str) -> Response:
        if not remove_tag(self.store, self.owner, name):
            raise HTTPError(404, NO_SUCH_TAG)
        return self.reply(204)


class MeHandler(ReaderEndpoint):
    """``/me``: the reader's account and profile."""

    path = "/me"
    operations = {"get": operation("Who you are", {200: Reply("Your account and profile", Me)})}

    def get(self) -> Response:
        user = self.current_user
        profile = get_profile(self.store, user.id)
        me = Me(
            username=user.username,
            display_name=profile.display_name,
            bio=profile.bio,
            location=profile.location,
            website=profile.website,
            avatar_url=avatar_url(profile),
            new_links_private=profile.new_links_private,
            created_at=user.created_at,
        )
        return self.reply(200, me.model_dump())


class TokensHandler(Endpoint, TokensAPIHandler):
    """``/tokens``: POST a username and password for an API key (shared by every site's API)."""

    path = "/tokens"
    operations = {
        "post": operation(
            "Get an API key",
            {
                201: Reply("A new key: keep it, it is shown once", NewToken),
                401: Reply("Wrong username or password", Error, {"WWW-Authenticate": "Token"}),
                429: Reply("Too many attempts: try again after Retry-After seconds", Error, {"Retry-After": "seconds"}),
                503: Reply("The database cannot be reached: try again later", Error, {"Retry-After": "seconds"}),
            },
            body=Credentials,
            auth=False,
            description="Throttled like the login form. The key works on every site's API of the suite.",
        )
    }


class OpenAPIHandler(Endpoint):
    """``/openapi.json``: this API's OpenAPI 3.1 description, made from the routed endpoints."""

    path = "/openapi.json"
    operations = {
        "get": operation("This description", {200: Reply("OpenAPI 3.1", OpenAPIDocument)}, auth=False),
    }

    def get(self) -> Response:
        return self.reply(200, document(self.application))
