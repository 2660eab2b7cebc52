"""Readify's page fetcher (readify/fetcher/fetch.py) against a local HTTP server.

The server is on 127.0.0.1, so most tests pass ``allow_private=True``. The tests of the address rules
fake the network instead: ``_resolve`` (the one name lookup of a fetch) maps made-up names to the
addresses a test wants, and ``_open_socket`` (the one place a TCP connection is made) sends the made-up
public address ``PUBLIC_IP`` to the local server.
"""

from __future__ import annotations

import inspect
import socket
import time
from collections.abc import Iterator

import pytest

from readify.fetcher import fetch
from readify.fetcher.fetch import FetchFailed, FetchRefused, PageInfo, fetch_page_info
from tests.readify.page_server import RUSSIAN, page_server, self_signed

PUBLIC_IP = "93.184.215.14"  # a global address; never really connected to here
PUBLIC_NAME = "public.example"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """The local server's base URL, http://127.0.0.1:PORT."""
    with page_server() as base:
        yield base


@pytest.fixture
def fake_network(server: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """``PUBLIC_NAME`` resolves to ``PUBLIC_IP``, which reaches the local server; other names resolve as
    usual. Returns the list of (address, port) the fetcher connects to."""
    port = int(server.rsplit(":", 1)[1])
    real_resolve, real_open = fetch._resolve, fetch._open_socket
    connected: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC_IP] if host == PUBLIC_NAME else real_resolve(host, port)

    def open_socket(ip: str, port_: int, timeout: float) -> socket.socket:
        connected.append((ip, port_))
        return real_open("127.0.0.1" if ip == PUBLIC_IP else ip, port_, timeout)

    monkeypatch.setattr(fetch, "_resolve", resolve)
    monkeypatch.setattr(fetch, "_open_socket", open_socket)
    assert port
    return connected


def _public(server: str, path: str) -> str:
    return f"http://{PUBLIC_NAME}:{server.rsplit(':', 1)[1]}{path}"


# What a page says


def test_og_tags_preferred_and_folded(server: str) -> None:
    info = fetch_page_info(f"{server}/og", allow_private=True)
    assert info == PageInfo("The article's own title", "What it is & why.", f"{server}/og")


def test_meta_description_and_title(server: str) -> None:
    info = fetch_page_info(f"{server}/meta", allow_private=True)
    assert (info.title, info.description) == ("Meta page", "Told in a meta tag.")


def test_plain_title(server: str) -> None:
    assert fetch_page_info(f"{server}/plain", allow_private=True) == PageInfo("Only a title", "", f"{server}/plain")


def test_lengths_are_bounded(server: str) -> None:
    info = fetch_page_info(f"{server}/long", allow_private=True)
    assert len(info.title) <= 500 and info.title.endswith("…") and info.title.startswith("word word")
    assert len(info.description) == 1000


def test_image_gives_no_title(server: str) -> None:
    assert fetch_page_info(f"{server}/image", allow_private=True) == PageInfo("", "", f"{server}/image")


def test_error_status_fails(server: str) -> None:
    with pytest.raises(FetchFailed, match="answered 404"):
        fetch_page_info(f"{server}/missing", allow_private=True)


def test_host_header_and_user_agent(server: str, fake_network: list[tuple[str, int]]) -> None:
    port = int(server.rsplit(":", 1)[1])
    info = fetch_page_info(_public(server, "/host"))
    assert info.title == f"{PUBLIC_NAME}:{port} {fetch.USER_AGENT}"
    assert fake_network == [(PUBLIC_IP, port)]


# Charsets


@pytest.mark.parametrize("path", ["/cp1251-header", "/cp1251-meta", "/cp1251-http-equiv"])
def test_windows_1251(server: str, path: str) -> None:
    assert fetch_page_info(f"{server}{path}", allow_private=True).title == RUSSIAN


def test_undeclared_is_utf8_with_replacement(server: str) -> None:
    assert fetch_page_info(f"{server}/undeclared", allow_private=True).title == "caf\ufffd été"


# Size and time


def test_big_page_cut_at_max_bytes(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[int] = []
    real_decode = fetch._decode

    def decode(body: bytes, declared: str | None) -> str:
        seen.append(len(body))
        return real_decode(body, declared)

    monkeypatch.setattr(fetch, "_decode", decode)
    assert fetch_page_info(f"{server}/big", allow_private=True).title == "Big page"
    assert seen == [1_000_000]


def test_page_that_never_answers(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed, match=r"did not answer in 0\.5 s"):
        fetch_page_info(f"{server}/silent", allow_private=True, timeout=0.5)
    assert 0.4 < time.monotonic() - started < 2


def test_trickling_page_given_up(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchFailed, match="did not answer in 0.5 s"):
        fetch_page_info(f"{server}/trickle", allow_private=True, timeout=0.5)
    assert time.monotonic() - started < 2


def test_defaults() -> None:
    parameters = inspect.signature(fetch_page_info).parameters
    assert parameters["timeout"].default == 5.0
    assert parameters["max_bytes"].default == 1_000_000
    assert parameters["max_redirects"].default == 5
    assert parameters["allow_private"].default is False


# Schemes and addresses


@pytest.mark.parametrize(
    "url", ["ftp://example.com/file", "javascript:alert(1)", "file:///etc/passwd", "data:text/html,<title>x</title>"]
)
def test_other_schemes_refused(url: str) -> None:
    with pytest.raises(FetchRefused, match="only http:// and https://"):
        fetch_page_info(url)


@pytest.mark.parametrize(
    "address", ["127.0.0.1", "10.0.0.1", "192.168.1.20", "172.16.0.5", "169.254.169.254", "0.0.0.0", "224.0.0.1",
                "100.64.0.1", "::1", "::ffff:127.0.0.1", "fe80::1", "fc00::1", "2002:7f00:1::1", "::"]
)  # fmt: skip
def test_name_resolving_to_private_refused_before_connecting(address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    connected: list[str] = []
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: [address])
    monkeypatch.setattr(fetch, "_open_socket", lambda ip, port, timeout: connected.append(ip))
    with pytest.raises(FetchRefused, match="the address is private"):
        fetch_page_info("http://inside.example/")
    assert connected == []


def test_any_private_answer_refuses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: [PUBLIC_IP, "10.0.0.1"])
    with pytest.raises(FetchRefused, match="inside.example is 10.0.0.1"):
        fetch_page_info("https://inside.example/")


def test_literal_loopback_refused(server: str) -> None:
    with pytest.raises(FetchRefused, match="the address is private"):
        fetch_page_info(f"{server}/plain")
    with pytest.raises(FetchRefused, match="the address is private"):
        fetch_page_info(f"{server.replace('127.0.0.1', 'localhost')}/plain")


def test_resolved_once_and_connected_to_the_checked_address(
    server: str, fake_network: list[tuple[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([[PUBLIC_IP], ["127.0.0.1"]])  # a name whose second answer would be loopback
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: next(answers))
    assert fetch_page_info(_public(server, "/plain")).title == "Only a title"
    assert [ip for ip, _port in fake_network] == [PUBLIC_IP]


def test_redirect_to_loopback_refused(server: str, fake_network: list[tuple[str, int]]) -> None:
    assert fetch_page_info(_public(server, "/to?/plain")).title == "Only a title"  # the fakes work
    with pytest.raises(FetchRefused, match="the address is private"):
        fetch_page_info(_public(server, f"/to?{server}/plain"))
    assert [ip for ip, _port in fake_network] == [PUBLIC_IP, PUBLIC_IP, PUBLIC_IP]


def test_redirect_to_loopback_allowed_when_private_allowed(server: str, fake_network: list[tuple[str, int]]) -> None:
    info = fetch_page_info(_public(server, f"/to?{server}/plain"), allow_private=True)
    assert info == PageInfo("Only a title", "", f"{server}/plain")


def test_redirect_to_other_scheme_refused(server: str) -> None:
    with pytest.raises(FetchRefused, match="not ftp:"):
        fetch_page_info(f"{server}/to?ftp://example.com/", allow_private=True)


def test_five_redirects_followed_six_refused(server: str) -> None:
    info = fetch_page_info(f"{server}/chain/5", allow_private=True)
    assert info == PageInfo("Only a title", "", f"{server}/chain/0")
    with pytest.raises(FetchRefused, match="more than 5"):
        fetch_page_info(f"{server}/chain/6", allow_private=True)


def test_unknown_name_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def resolve(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch, "_resolve", resolve)
    with pytest.raises(FetchFailed, match="nowhere.example was not found"):
        fetch_page_info("http://nowhere.example/")


@pytest.mark.parametrize(
    ("address", "public"),
    [("93.184.215.14", True), ("2606:4700::1111", True), ("198.51.100.7", False), ("::ffff:10.0.0.1", False),
     ("255.255.255.255", False), ("240.0.0.1", False), ("not an address", False)],
)  # fmt: skip
def test_is_public_address(address: str, public: bool) -> None:
    assert fetch.is_public_address(address) is public


# -- https: the certificate checked against the name asked for, which SNI carries ---------------------------


@pytest.fixture
def tls_server(tmp_path, fake_network):  # type: ignore[no-untyped-def]
    """An https server with a certificate for ``PUBLIC_NAME``, which the fake network reaches."""
    cert, context, asked = self_signed(tmp_path, PUBLIC_NAME)
    with page_server(context) as base:
        yield base, cert, asked


def test_https_page_read_with_its_name_in_sni_and_the_certificate_checked(tls_server, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    base, cert, asked = tls_server
    url = f"https://{PUBLIC_NAME}:{base.rsplit(':', 1)[1]}/plain"
    with pytest.raises(FetchFailed, match="its certificate was not accepted"):  # signed by no one trusted
        fetch_page_info(url)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now trusted, as a public authority's would be
    assert fetch_page_info(url).title == "Only a title"
    assert asked == [PUBLIC_NAME, PUBLIC_NAME]


def test_https_certificate_for_another_name_refused(tmp_path, fake_network, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cert, context, _ = self_signed(tmp_path, "other.example")
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    with page_server(context) as base:
        with pytest.raises(FetchFailed, match="its certificate was not accepted"):
            fetch_page_info(f"https://{PUBLIC_NAME}:{base.rsplit(':', 1)[1]}/plain")


def test_the_next_checked_address_is_tried_when_one_does_not_connect(server, fake_network, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    unreachable = "93.184.215.99"
    monkeypatch.setattr(fetch, "_resolve", lambda host, port: [unreachable, PUBLIC_IP])
    real_open = fetch._open_socket

    def open_socket(ip: str, port: int, timeout: float) -> socket.socket:
        if ip == unreachable:
            fake_network.append((ip, port))
            raise ConnectionRefusedError("refused")
        return real_open(ip, port, timeout)

    monkeypatch.setattr(fetch, "_open_socket", open_socket)
    assert fetch_page_info(_public(server, "/plain")).title == "Only a title"
    assert [ip for ip, _port in fake_network] == [unreachable, PUBLIC_IP]
