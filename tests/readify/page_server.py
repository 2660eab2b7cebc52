"""Pages to fetch for the tests of Readify's page fetcher: a local HTTP server, one page (or misbehaviour) a path.

``with page_server() as base`` serves them at ``base`` (http://127.0.0.1:PORT) until the block ends.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from brubeck.testing import free_port

OG_PAGE = b"""<!doctype html><html><head><title>Plain | Site</title>
<meta property="og:title" content="  The   article's
 own title ">
<meta property="og:description" content="What it is &amp; why.">
<meta name="description" content="Not this one.">
<script>document.title = "changed by a script"</script>
</head><body><p>Text</p></body></html>"""
META_PAGE = b"""<html><head><title>\n  Meta   page\t</title><meta name="Description" content=" Told
 in a meta tag. "></head><body></body></html>"""
PLAIN_PAGE = b"<html><head><title>Only a title</title></head><body>x</body></html>"
RUSSIAN = "Привет, мир"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    stopping: threading.Event


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, body: bytes, content_type: str = "text/html", status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:  # noqa: C901 - one route a branch
        path = self.path
        if path == "/og":
            self._send(OG_PAGE)
        elif path == "/meta":
            self._send(META_PAGE)
        elif path == "/plain":
            self._send(PLAIN_PAGE)
        elif path == "/host":
            self._send(f"<title>{self.headers['Host']} {self.headers['User-Agent']}</title>".encode())
        elif path.startswith("/to?"):
            self._redirect(path.removeprefix("/to?"))
        elif path.startswith("/chain/"):
            left = int(path.removeprefix("/chain/"))
            if left:
                self._redirect(f"/chain/{left - 1}")
            else:
                self._send(PLAIN_PAGE)
        elif path == "/big":
            head = b"<html><head><title>Big page</title></head><body>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(5_000_000))
            self.end_headers()
            self.wfile.write(head)
            try:
                for _ in range((5_000_000 - len(head)) // 10_000):
                    self.wfile.write(b"x" * 10_000)
            except OSError:
                pass  # the fetcher stopped reading: as it should
        elif path == "/slow-title":
            self.server.stopping.wait(1)
            self._send(PLAIN_PAGE)
        elif path == "/silent":
            self.server.stopping.wait(30)
        elif path == "/trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                self.wfile.write(b"<title>Trickle</title>")
                for _ in range(300):
                    if self.server.stopping.wait(0.05):
                        break
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass
        elif path == "/cp1251-header":
            self._send(f"<title>{RUSSIAN}</title>".encode("cp1251"), "text/html; charset=windows-1251")
        elif path == "/cp1251-meta":
            body = f'<html><head><meta charset="windows-1251"><title>{RUSSIAN}</title>'.encode("cp1251")
            self._send(body)
        elif path == "/cp1251-http-equiv":
            body = (
                '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
                f"<title>{RUSSIAN}</title>"
            ).encode("cp1251")
            self._send(body)
        elif path == "/undeclared":
            self._send(b"<title>caf\xe9 \xc3\xa9t\xc3\xa9</title>")
        elif path == "/image":
            self._send(b"\x89PNG\r\n\x1a\n<title>not a title</title>", "image/png")
        elif path == "/long":
            self._send(f"<title>{'word ' * 300}</title><meta name=description content='{'d' * 2000}'>".encode())
        elif path == "/missing":
            self._send(b"<title>Not Found</title>", status=404)
        else:
            self._send(b"", status=404)


@contextmanager
def page_server(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """The local server's base URL, http://127.0.0.1:PORT (https:// with ``tls``), while the block runs."""
    port = free_port()
    httpd = _Server(("127.0.0.1", port), _Handler)
    if tls is not None:
        httpd.socket = tls.wrap_socket(httpd.socket, server_side=True)
    httpd.stopping = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    finally:
        httpd.stopping.set()
        httpd.shutdown()
        httpd.server_close()


def self_signed(folder: Path, name: str) -> tuple[Path, ssl.SSLContext, list[str | None]]:
    """A certificate for ``name``, signed by itself (made by the ``openssl`` command); a server's TLS context
    with it, and the list of names the clients ask for (SNI) that the context fills in."""
    cert, key = folder / f"{name}.pem", folder / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={name}"]
        + ["-addext", f"subjectAltName=DNS:{name}", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    asked: list[str | None] = []
    context.sni_callback = lambda sock, server_name, ctx: asked.append(server_name)  # type: ignore[assignment]
    return cert, context, asked
