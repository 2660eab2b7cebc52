# ruff: noqa: E501  (the lines are the files' own: a browser writes one bookmark a line)
"""Bookmark files in the shapes Firefox, Chromium, Pinboard and Shaarli write, each made here from the format's
published description (Microsoft's "Netscape Bookmark File Format" notes, Firefox's and Chromium's importer and
exporter documentation, Pinboard's and Shaarli's export pages), with what importing each must give."""

from __future__ import annotations

HEAD = '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n'

FIREFOX = (
    HEAD
    + """<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'none'; img-src data: *;">
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks Menu</H1>
<DL><p>
    <DT><A HREF="place:type=6&sort=14&maxResults=10" ADD_DATE="1700000000" LAST_MODIFIED="1700000000">Recent Tags</A>
    <DT><A HREF="https://www.mozilla.org/en-US/firefox/" ADD_DATE="1700000001" LAST_MODIFIED="1700000002" ICON_URI="https://www.mozilla.org/favicon.ico" ICON="data:image/png;base64,iVBORw0KGgo=" SHORTCUTURL="moz" TAGS="browser,mozilla">Firefox</A>
    <DD>The browser
    <DT><H3 ADD_DATE="1700000003" LAST_MODIFIED="1700000004">Cooking</H3>
    <DL><p>
        <DT><A HREF="https://example.org/soup" ADD_DATE="1700000005" LAST_MODIFIED="1700000006">Soup &amp; bread</A>
        <HR>
        <DT><A HREF="javascript:void(document.body.style.background='red')" ADD_DATE="1700000007">Bookmarklet</A>
    </DL><p>
    <DT><H3 ADD_DATE="1700000008" LAST_MODIFIED="1700000009" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks Toolbar</H3>
    <DL><p>
        <DT><A HREF="https://news.example.com/" ADD_DATE="1700000010" LAST_MODIFIED="1700000011">News</A>
    </DL><p>
    <DT><H3 ADD_DATE="1700000012" LAST_MODIFIED="1700000013" UNFILED_BOOKMARKS_FOLDER="true">Other Bookmarks</H3>
    <DL><p>
        <DT><A HREF="https://example.org/soup" ADD_DATE="1600000000" TAGS="food">Soup again</A>
    </DL><p>
</DL>
"""
)
"""4 saved (the soup twice: merged), 2 skipped (a place: query, a bookmarklet)."""

CHROMIUM = (
    HEAD
    + """<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
    <DT><H3 ADD_DATE="1700000000" LAST_MODIFIED="1700000100" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>
    <DL><p>
        <DT><A HREF="https://www.chromium.org/" ADD_DATE="1700000001" ICON="data:image/png;base64,AAAA">The Chromium Projects</A>
        <DT><H3 ADD_DATE="1700000002" LAST_MODIFIED="1700000003">Dev docs</H3>
        <DL><p>
            <DT><A HREF="https://developer.mozilla.org/ru/" ADD_DATE="1700000004">Веб-документация</A>
            <DT><A HREF="chrome://settings/" ADD_DATE="1700000005">Settings</A>
        </DL><p>
    </DL><p>
    <DT><H3 ADD_DATE="1700000006" LAST_MODIFIED="1700000007">Other bookmarks</H3>
    <DL><p>
        <DT><A HREF="https://ja.wikipedia.org/wiki/東京" ADD_DATE="1700000008">東京 - Wikipedia 🗼</A>
    </DL><p>
</DL><p>
"""
)
"""3 saved, 1 skipped (a chrome: URL); "Dev docs" and "Other bookmarks" become tags."""

PINBOARD = (
    HEAD
    + """<TITLE>Pinboard Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p><DT><A HREF="https://pinboard.in/" ADD_DATE="1400000000" PRIVATE="0" TOREAD="1" TAGS="bookmarking,tools">Pinboard</A>
<DD>Social bookmarking for introverts.
<DT><A HREF="https://example.net/read" ADD_DATE="1400000001" PRIVATE="1" TOREAD="0" TAGS="">Already read</A>
<DT><A HREF="http://old.example.net/page?a=1&amp;b=2" ADD_DATE="1400000002" PRIVATE="0" TOREAD="0" TAGS="web,http">Old &lt;page&gt;</A>
<DD>Query strings &amp; &quot;quotes&quot;
</DL></p>
"""
)
"""3 saved: the first unread, the other two archived, the second private."""

SHAARLI = (
    HEAD
    + """<!-- This is an automatically generated file.
     It will be read and overwritten.
     Do Not Edit! -->
<TITLE>Bookmarks</TITLE>
<H1>Bookmarks</H1>
<DL><p>
<DT><A HREF="https://shaarli.readthedocs.io/" ADD_DATE="1600000000" LAST_MODIFIED="1600000500" PRIVATE="0" TAGS="shaarli,doc">Shaarli documentation</A>
<DD>Personal, minimalist, super-fast bookmarking
<DT><A HREF="?abcdef" ADD_DATE="1600000001" PRIVATE="1" TAGS="note">A note</A>
<DT><A HREF="https://example.com/secret" ADD_DATE="1600000002" PRIVATE="1" TAGS="">Secret</A>
</DL><p>
"""
)
"""2 saved, 1 skipped (a note's relative URL: Shaarli's notes point at the Shaarli itself)."""
