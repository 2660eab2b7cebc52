"""Fetch a saved page's title and description, safely.

:func:`fetch_page_info` is a plain function: no service, no state kept between calls. Its rules:

- Only ``http://`` and ``https://`` addresses are fetched.
- The host name is resolved once; every address it resolves to is checked, and the connection is made to
  a checked address itself, each in turn until one connects (the original name still goes in the
  ``Host`` header and, for https, in SNI and the certificate check). A second DNS answer is never asked
  for, so a name that answers "public" to the check and "private" to the connect cannot slip through.
  Loopback, private, link-local, multicast, reserved, unspecified and otherwise non-global addresses are
  refused (IPv4 addresses carried inside IPv6 ones, ``::ffff:127.0.0.1`` or 6to4, are checked as IPv4),
  unless ``allow_private``.
- Redirects are followed by hand, at most ``max_redirects``, each new address checked the same way.
- One deadline (``timeout``) covers the whole fetch: name resolution, connecting, TLS, every redirect
  and the body. A watchdog shuts the socket down when it passes, so a page that never answers, or
  trickles a byte at a time, is given up on time.
- At most ``max_bytes`` of the body are read (after gzip decoding); the rest is never downloaded.
- The body is decoded in its declared charset (a byte-order mark, then the ``Content-Type`` header,
  then ``<meta charset>`` or ``<meta http-equiv=content-type>``), else UTF-8 with replacement characters.
- The page is parsed by selectolax (Lexbor, an HTML5 parser): nothing in it is run, nothing it names is
  fetched.

The title is ``og:title`` when the page has one, else ``<title>``: a page's ``<title>`` usually carries
the site's name too ("How X works | Site"), its ``og:title`` is the article's own. The description is
``og:description``, else ``<meta name=description>``. Whitespace is folded to single spaces; the title
is cut to :data:`shared.models.MAX_TITLE_LENGTH` characters, the description to
:data:`MAX_DESCRIPTION_LENGTH`.
"""

from __future__ import annotations

# First: in a Brubeck process gevent patches the standard library (ssl, socket, threading) when brubeck is
# imported, and it must do so before urllib3 takes its own references to ssl, or TLS would block the hub.
import brubeck.concurrency  # noqa: F401

# isort: split

import codecs
import ipaddress
import socket
import ssl
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from email.message import Message
from urllib.parse import urljoin, urlsplit

import urllib3
from selectolax.lexbor import LexborHTMLParser
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError, SSLError
from urllib3.response import BaseHTTPResponse
from urllib3.util.ssl_match_hostname import CertificateError

from shared.models import MAX_TITLE_LENGTH

MAX_DESCRIPTION_LENGTH = 1000
USER_AGENT = "Readify-Fetcher/1.0 (Brubeck suite; reads a saved page's title)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: How much of the body is searched for a ``<meta>`` charset before the body is decoded.
META_PRESCAN_BYTES = 64 * 1024
CHUNK_BYTES = 64 * 1024

# Name resolution cannot be interrupted, so it runs here and is waited for no longer than the deadline.
_resolver_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readify-fetcher-dns")


class FetchError(Exception):
    """A page's information could not be had; ``reason`` says why, in words a person understands."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class FetchRefused(FetchError):
    """The fetcher would not fetch this address (not http/https, private, too many redirects...)."""


class FetchFailed(FetchError):
    """The fetch was tried and did not work (no answer in time, no such name, an error status...)."""


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What a page says about itself; ``final_url`` is where the redirects, if any, ended."""

    title: str
    description: str
    final_url: str


def fetch_page_info(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 5.0,
    max_bytes: int = 1_000_000,
    max_redirects: int = 5,
) -> PageInfo:
    """The title and description of the page at ``url``, by the rules in this module's docstring.

    Raises :class:`FetchRefused` or :class:`FetchFailed` with a reason a person can read.
    """
    deadline = _Deadline(timeout)
    try:
        redirects = 0
        while True:
            target = _parse_target(url)
            addresses = _checked_addresses(target, deadline, allow_private)
            conn = _connection(target, addresses, deadline)
            try:
                response = _request(conn, target, deadline)
                if response.status in REDIRECT_STATUSES:
                    location = response.headers.get("location")
                    if not location:
                        raise FetchFailed(f"the site answered {response.status} without saying where to go")
                    if redirects >= max_redirects:
                        raise FetchRefused(f"the page redirects more than {max_redirects} times")
                    redirects += 1
                    url = urljoin(url, location.strip())
                    continue
                if response.status >= 400:
                    raise FetchFailed(f"the site answered {response.status} {response.reason or ''}".rstrip())
                return _page_info(response, url, deadline, max_bytes)
            except (HTTPError, OSError, CertificateError) as error:
                raise _failure(error, deadline) from error
            finally:
                conn.close()
    finally:
        deadline.close()


# The address


@dataclass(frozen=True, slots=True)
class _Target:
    scheme: str
    host: str  # IDNA-encoded, lower case, IPv6 without brackets
    port: int
    request_path: str  # path and query, what goes on the request line
    host_header: str


def _parse_target(url: str) -> _Target:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"the address is not a valid URL ({error})") from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        shown = f"{scheme}:" if scheme else "an address without a scheme"
        raise FetchRefused(f"only http:// and https:// pages are fetched, not {shown}")
    host = parts.hostname or ""
    if not host:
        raise FetchRefused("the address has no host name")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise FetchRefused("the address's host name is not a valid name") from error
    port = port or (443 if scheme == "https" else 80)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if any(ord(c) <= 0x20 or ord(c) >= 0x7F for c in path):
        path = "".join(c if 0x20 < ord(c) < 0x7F else _percent_encode(c) for c in path)
    shown_host = f"[{host}]" if ":" in host else host
    default_port = 443 if scheme == "https" else 80
    host_header = shown_host if port == default_port else f"{shown_host}:{port}"
    return _Target(scheme, host, port, path, host_header)


def _percent_encode(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))


def _resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to, in the resolver's order (the tests replace this function)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(sockaddr[0]) for _family, _type, _proto, _name, sockaddr in answers))


def _checked_addresses(target: _Target, deadline: _Deadline, allow_private: bool) -> list[str]:
    """Resolve ``target.host`` once, check every answer, and return them, to be connected to in turn."""
    future = _resolver_pool.submit(_resolve, target.host, target.port)
    try:
        addresses = future.result(timeout=deadline.remaining())
    except FutureTimeout as error:
        raise deadline.failure() from error
    except (OSError, UnicodeError) as error:
        raise FetchFailed(f"the name {target.host} was not found") from error
    if not addresses:
        raise FetchFailed(f"the name {target.host} was not found")
    if not allow_private:
        for address in addresses:
            if not is_public_address(address):
                shown = "" if address == target.host else f": {target.host} is {address}"
                raise FetchRefused(f"the address is private{shown}")
    return addresses


def is_public_address(address: str) -> bool:
    """Whether ``address`` (an IPv4 or IPv6 address) is one a fetch may connect to."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None and not is_public_address(str(embedded)):
            return False
    return ip.is_global and not (
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )


# The connection


class _Deadline:
    """One time limit for a whole fetch; when it passes, every socket it watches is shut down, which
    wakes any read blocked on it (a trickling page is cut even between two bytes)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise self.failure()
        return left

    def failure(self) -> FetchFailed:
        return FetchFailed(f"the page did not answer in {self.seconds:g} s")

    def watch(self, sock: socket.socket) -> None:
        # A duplicate of the descriptor: shutting it down shuts the connection down, and it stays usable
        # after TLS takes the original socket object over.
        duplicate = sock.dup()
        with self._lock:
            self._sockets.append(duplicate)
            expired = self.expired
        if expired:
            _shutdown(duplicate)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shutdown(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            sock.close()


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


def _open_socket(ip: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly ``ip`` (no name is resolved here; the tests replace this function)."""
    return socket.create_connection((ip, port), timeout=timeout)


class _PinnedHTTPConnection(HTTPConnection):
    """Connects to the addresses that were checked, in turn until one answers, never to a name, and puts
    the socket under the deadline."""

    pinned_ips: list[str]
    deadline: _Deadline

    def _new_conn(self) -> socket.socket:
        for number, ip in enumerate(self.pinned_ips, start=1):
            try:
                sock = _open_socket(ip, self.port, self.deadline.remaining())
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"connecting to {ip} timed out") from error
            except OSError as error:
                if number == len(self.pinned_ips):
                    raise NewConnectionError(self, f"could not connect to {ip}: {error}") from error
                continue
            self.deadline.watch(sock)
            return sock
        raise NewConnectionError(self, "no address to connect to")


class _PinnedHTTPSConnection(_PinnedHTTPConnection, HTTPSConnection):
    pass


def _connection(target: _Target, addresses: list[str], deadline: _Deadline) -> HTTPConnection:
    timeout = deadline.remaining()
    conn: _PinnedHTTPConnection
    if target.scheme == "https":
        # The certificate is checked against the name asked for, and SNI carries it: only the TCP
        # connection goes to the pinned address.
        conn = _PinnedHTTPSConnection(
            addresses[0], target.port, timeout=timeout, server_hostname=target.host, assert_hostname=target.host
        )
    else:
        conn = _PinnedHTTPConnection(addresses[0], target.port, timeout=timeout)
    conn.pinned_ips = addresses
    conn.deadline = deadline
    return conn


def _request(conn: HTTPConnection, target: _Target, deadline: _Deadline) -> BaseHTTPResponse:
    headers = {
        "Host": target.host_header,
        "User-Agent": USER_AGENT,
        "Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    conn.timeout = deadline.remaining()
    conn.request("GET", target.request_path, headers=headers, preload_content=False)
    return conn.getresponse()


def _failure(error: Exception, deadline: _Deadline) -> FetchFailed:
    """The reason to give for an error from the connection."""
    if deadline.expired or isinstance(error, TimeoutError | ConnectTimeoutError | urllib3.exceptions.TimeoutError):
        return deadline.failure()
    if isinstance(error, SSLError | ssl.SSLError | CertificateError):  # urllib3's, the ssl module's, a wrong name
        return FetchFailed("a secure connection to the site could not be made (its certificate was not accepted)")
    if isinstance(error, NewConnectionError):
        return FetchFailed("the site could not be reached")
    return FetchFailed("the site's answer was cut off or not understood")


# The page


def _page_info(response: BaseHTTPResponse, url: str, deadline: _Deadline, max_bytes: int) -> PageInfo:
    header = Message()
    header["content-type"] = response.headers.get("content-type", "text/html")
    if header.get_content_type() not in HTML_TYPES:
        return PageInfo("", "", url)
    body = _read_body(response, deadline, max_bytes)
    declared = header.get_param("charset")
    text = _decode(body, declared if isinstance(declared, str) else None)
    return _extract(text, url)


def _read_body(response: BaseHTTPResponse, deadline: _Deadline, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < max_bytes:
        deadline.remaining()
        chunk = response.read(min(CHUNK_BYTES, max_bytes - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if deadline.expired:  # the watchdog's shutdown reads as an early end: not the page's end
        raise deadline.failure()
    return b"".join(chunks)[:max_bytes]


def _codec(label: str | None, *, from_meta: bool = False) -> str | None:
    """Python's codec for a charset label, or None for one unknown or not to be trusted."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii"):
        return "cp1252"  # as browsers read them
    if name == "utf-7":
        return None
    if from_meta and name.startswith("utf-16"):
        return "utf-8"  # a page that can declare itself in ASCII is not UTF-16 (HTML's rule)
    return name


def _decode(body: bytes, declared: str | None) -> str:
    for bom, bom_codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, errors="replace")
    codec = _codec(declared) or _meta_charset(body[:META_PRESCAN_BYTES]) or "utf-8"
    try:
        return body.decode(codec, errors="replace")
    except LookupError:  # a codec Python has that is not a text encoding
        return body.decode("utf-8", errors="replace")


def _meta_charset(head: bytes) -> str | None:
    """The charset a page declares in a ``<meta>``: the markup is ASCII, so Latin-1 reads it byte for byte."""
    tree = LexborHTMLParser(head.decode("latin-1"))
    for meta in tree.css("meta"):
        attributes = {name.lower(): value or "" for name, value in meta.attributes.items()}
        if "charset" in attributes:
            codec = _codec(attributes["charset"], from_meta=True)
        elif attributes.get("http-equiv", "").strip().lower() == "content-type":
            header = Message()
            header["content-type"] = attributes.get("content", "")
            charset = header.get_param("charset")
            codec = _codec(charset if isinstance(charset, str) else None, from_meta=True)
        else:
            continue
        if codec:
            return codec
    return None


def _extract(text: str, url: str) -> PageInfo:
    tree = LexborHTMLParser(text)
    metas: dict[str, str] = {}
    for meta in tree.css("meta"):
        attributes = {name.lower(): value or "" for name, value in meta.attributes.items()}
        key = (attributes.get("property") or attributes.get("name") or "").strip().lower()
        if key and "content" in attributes:
            metas.setdefault(key, attributes["content"])
    title_node = tree.css_first("title")
    html_title = title_node.text(deep=True) if title_node is not None else ""
    title = _fold(metas.get("og:title", "")) or _fold(html_title)
    description = _fold(metas.get("og:description", "")) or _fold(metas.get("description", ""))
    return PageInfo(_cut(title, MAX_TITLE_LENGTH), _cut(description, MAX_DESCRIPTION_LENGTH), url)


def _fold(text: str) -> str:
    """Runs of whitespace as one space, control characters dropped, no space at either end."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"
