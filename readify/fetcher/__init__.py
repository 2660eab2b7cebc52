"""Readify's page fetcher: reads a saved page's title and description (:mod:`readify.fetcher.fetch`)."""

from readify.fetcher.fetch import FetchError, FetchFailed, FetchRefused, PageInfo, fetch_page_info

__all__ = ["FetchError", "FetchFailed", "FetchRefused", "PageInfo", "fetch_page_info"]
