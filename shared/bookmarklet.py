"""Bookmarklets: a ``javascript:`` link that opens a site's add-a-link form for the page being read.

A link the visitor clicks is not an inline script of our page, so the strict Content-Security-Policy
stays.  Its address comes from the site's configured URL, never the request's Host header.
"""

from __future__ import annotations


def bookmarklet(site_url: str, url_field: str = "u", title_field: str = "t") -> str:
    """JavaScript that opens ``site_url``/add_item with the page's address and title in the query."""
    return (
        f"javascript:location.href='{site_url}/add_item?{url_field}='"
        f"+encodeURIComponent(location.href)+'&{title_field}='+encodeURIComponent(document.title)"
    )
