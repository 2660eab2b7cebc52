"""Atom feeds (RFC 4287) of a user's public links, built with ElementTree (so everything is escaped)."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from brubeck.timekeeping import isoformat

from .models import Profile, ReadifyLink

ATOM = "http://www.w3.org/2005/Atom"
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
"""Characters XML 1.0 has no place for (ElementTree writes them, and the feed would not parse)."""


def _xml(text: str) -> str:
    return NOT_XML.sub("", text)


def _add(parent: ElementTree.Element, tag: str, text: str | None = None, **attributes: str) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", {k: _xml(v) for k, v in attributes.items()})
    element.text = None if text is None else _xml(text)
    return element


def public_feed(site_url: str, profile: Profile, links: list[ReadifyLink], updated: int) -> bytes:
    """The feed of ``links`` (newest first) on the profile of ``profile.owner``, as UTF-8 XML."""
    ElementTree.register_namespace("", ATOM)
    page = f"{site_url}/{profile.owner}"
    name = profile.display_name or profile.owner
    feed = ElementTree.Element(f"{{{ATOM}}}feed")
    _add(feed, "id", f"{page}/feed")
    _add(feed, "title", f"{name}’s links on Readify")
    _add(feed, "updated", isoformat(max([updated, *(link.updated_at for link in links)])))
    _add(feed, "link", rel="self", type="application/atom+xml", href=f"{page}/feed")
    _add(feed, "link", rel="alternate", type="text/html", href=page)
    author = _add(feed, "author")
    _add(author, "name", name)
    _add(author, "uri", page)
    for link in links:
        entry = _add(feed, "entry")
        _add(entry, "id", f"{page}/links/{link.id}")
        _add(entry, "title", link.title or link.url)
        _add(entry, "link", rel="alternate", href=link.url)
        if link.description:
            _add(entry, "summary", link.description)  # the reader's notes, as text
        _add(entry, "published", isoformat(link.created_at))
        _add(entry, "updated", isoformat(link.updated_at))
        for tag in link.tags:
            _add(entry, "category", term=tag)
    body: bytes = ElementTree.tostring(feed, encoding="utf-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + body
