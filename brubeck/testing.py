"""Helpers for testing Brubeck apps: an in-process client, and a real Mongrel2 on free ports.

``TestClient(app)`` drives an app in this process, the way a browser would:
requests in, responses out, cookies kept, the CSRF token read from forms.
``Mongrel2Server`` runs Mongrel2 in the foreground from a config text (for
end-to-end tests, demos and benchmarks); ``single_handler_config`` writes the
config of one host whose every path goes to one handler.
"""

from __future__ import annotations

import functools
import json as jsonlib
import os
import random
import re
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from . import m2sh
from .csrf import CSRF_FIELD
from .datastructures import Headers
from .request import Request
from .responses import Response
from .types import Application

CSRF_INPUT = re.compile(r'<input type="hidden" name="' + CSRF_FIELD + r'" value="([^"]+)">')


# -- in process ---------------------------------------------------------------------------------------------


@dataclass
class TestResponse:
    """What the app answered."""

    __test__ = False  # not a pytest test class

    status: int
    headers: Headers
    body: bytes

    @property
    def status_code(self) -> int:
        """``status``, under the name requests uses (helpers can serve both kinds of client)."""
        return self.status

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return jsonlib.loads(self.body)

    @property
    def location(self) -> str | None:
        """Where a redirect points."""
        return self.headers.get("Location")


@dataclass
class TestClient:
    """Drive ``app`` in this process, keeping cookies like a browser.

    ``client.get("/login")``, ``client.post("/login", data={...})`` (a form),
    ``client.post("/api", json={...})``, ``client.post_form(path, data)``
    (with the CSRF token of the page's form), ``files={"data": (name, body,
    content type)}`` for uploads, ``params={...}`` for the query string.  A URL
    may be absolute (``http://host/path``: its host is the Host header);
    ``headers`` go with every request.  Redirects are not followed unless asked.
    A held request (long-poll) waits for its release or its timeout, as under
    WSGI: run it in a greenlet of its own to release it meanwhile.
    """

    __test__ = False  # not a pytest test class

    app: Application
    host: str = "localhost"
    remote_addr: str = "127.0.0.1"
    cookies: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        url: str,
        *,
        data: Mapping[str, Any] | None = None,
        json: Any = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        body: bytes = b"",
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        follow_redirects: bool = False,
    ) -> TestResponse:
        """Send one request; ``data``, ``json``, ``files`` or raw ``body`` make its body."""
        parts = urlsplit(url)
        query = "&".join(filter(None, [parts.query, urlencode(params or {}, doseq=True)]))
        all_headers = {"host": parts.netloc or self.host, **{k.lower(): v for k, v in self.headers.items()}}
        if files is not None:
            boundary = uuid.uuid4().hex
            body = _multipart(data or {}, files, boundary)
            all_headers["content-type"] = f"multipart/form-data; boundary={boundary}"
        elif data is not None:
            body = urlencode(data, doseq=True).encode("utf-8")
            all_headers["content-type"] = "application/x-www-form-urlencoded"
        elif json is not None:
            body = jsonlib.dumps(json).encode("utf-8")
            all_headers["content-type"] = "application/json"
        if self.cookies:
            all_headers["cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update({k.lower(): v for k, v in (headers or {}).items()})
        if body:
            all_headers["content-length"] = str(len(body))
        # No sender: a held request (long-poll) waits here for its answer, as under WSGI.
        request = Request(
            method=method,
            path=parts.path or "/",
            query_string=query,
            headers=all_headers,
            body=body,
            remote_addr=self.remote_addr,
        )
        answer = self.app.handle(request) or Response(b"", 204)
        response = TestResponse(answer.status, answer.headers, answer.body if method != "HEAD" else b"")
        self._keep_cookies(response)
        if follow_redirects and response.status in (301, 302, 303, 307, 308) and response.location:
            again = "GET" if response.status in (301, 302, 303) else method
            return self.request(again, response.location, headers=headers, follow_redirects=True)
        return response

    def _keep_cookies(self, response: TestResponse) -> None:
        for header in response.headers.get_all("Set-Cookie"):
            pair, *attributes = header.split(";")
            name, _, value = pair.strip().partition("=")
            if any(a.strip().lower() == "max-age=0" for a in attributes):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value

    def get(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("GET", url, **kwargs)

    def head(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("HEAD", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("POST", url, **kwargs)

    def put(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("PUT", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("DELETE", url, **kwargs)

    def options(self, url: str, **kwargs: Any) -> TestResponse:
        return self.request("OPTIONS", url, **kwargs)

    def csrf_token(self, form_url: str) -> str:
        """The CSRF token in the form of the page at ``form_url`` (fetching it sets the cookie)."""
        page = self.get(form_url)
        found = CSRF_INPUT.search(page.text)
        if not found:
            raise AssertionError(f"no CSRF field on {form_url} ({page.status})")
        return found.group(1)

    def post_form(self, url: str, data: Mapping[str, Any], form_url: str | None = None, **kwargs: Any) -> TestResponse:
        """POST ``data`` with the CSRF token of the form at ``form_url`` (default: ``url``)."""
        token = self.csrf_token(form_url or url)
        return self.post(url, data={**data, CSRF_FIELD: token}, **kwargs)


def _multipart(fields: Mapping[str, Any], files: Mapping[str, tuple[str, bytes, str]], boundary: str) -> bytes:
    parts = []
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{one}\r\n'.encode())
    for name, (filename, content, content_type) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


# -- through a real Mongrel2 -------------------------------------------------------------------------------------


#: Where :func:`free_port` looks: below Linux's ephemeral range (32768 and up), so that no outgoing
#: connection is given a port between the moment it is chosen and the moment a server binds it.
PORT_RANGE = range(12000, 32000)


class _PortShare:
    """This process's share of :data:`PORT_RANGE`: each pytest-xdist worker its own, so that two
    workers never choose the same port; within it, ports are handed out in turn, not at random."""

    def __init__(self) -> None:
        workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
        worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % workers
        size = len(PORT_RANGE) // workers
        self.start = PORT_RANGE.start + worker * size
        self.size = size
        self.next = random.randrange(size)  # another run at once (a second checkout) likely starts elsewhere

    def take(self, count: int) -> int:
        for _ in range(self.size):
            if self.next + count > self.size:  # past the end: round again (no port handed out twice before)
                self.next = 0
            first = self.start + self.next
            self.next += count
            if all(_bindable(port) for port in range(first, first + count)):
                return first
        raise RuntimeError(f"no {count} free consecutive ports in {self.start}..{self.start + self.size - 1}")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@functools.cache
def _port_share() -> _PortShare:
    return _PortShare()


def free_port(count: int = 1) -> int:
    """A TCP port on loopback that nothing listens on right now (the first of ``count`` in a row)."""
    return _port_share().take(count)


def wait_for_port(port: int, timeout: float = 10.0, host: str = "127.0.0.1") -> None:
    """Wait until something accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout}s") from None
            time.sleep(0.05)


def single_handler_config(
    port: int,
    send_spec: str,
    recv_spec: str,
    server_uuid: str,
    static_dir: str | None = None,
    content_length: int = 20 * 1024 * 1024,
) -> str:
    """A config for one server whose routes all go to one handler.

    Bodies over ``content_length`` bytes (Mongrel2's ``limits.content_length``)
    are streamed to ``tmp/`` in the work folder (``upload.temp_store``).
    """
    static = (
        f"'/static/': Dir(base='{static_dir}/', index_file='index.html', default_ctype='text/plain'), "
        if static_dir
        else ""
    )
    return f"""
handler = Handler(send_spec='{send_spec}', send_ident='{uuid.uuid4()}', recv_spec='{recv_spec}', recv_ident='')
main = Server(
    uuid="{server_uuid}", chroot="./", name="brubeck",
    access_log="logs/access.log", error_log="logs/error.log", pid_file="run/mongrel2.pid",
    default_host="localhost", port={port},
    hosts=[Host(name="localhost", matching="(.*)", routes={{{static}'/': handler}})]
)
settings = {{"server.daemonize": 0, "zeromq.threads": 1, "limits.content_length": {content_length},
             "limits.buffer_size": 65536, "upload.temp_store": "tmp/mongrel2.upload.XXXXXX"}}
servers = [main]
"""


class Mongrel2Server:
    """A Mongrel2 process for a config text, run from ``workdir`` in the foreground."""

    def __init__(
        self, config_text: str, workdir: str | Path, server_uuid: str, port: int, env: Mapping[str, str] | None = None
    ) -> None:
        self.config_text = config_text
        self.env = dict(env or {})  # beside m2sh's (say, malloc settings)
        self.workdir = Path(workdir)
        self.server_uuid = server_uuid
        self.port = port
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> Mongrel2Server:
        """Load the config, start Mongrel2 and wait until it listens."""
        m2sh.load(self.config_text, self.workdir)
        self.process = subprocess.Popen(
            ["mongrel2", "run/config.sqlite", self.server_uuid],
            cwd=self.workdir,
            env={**m2sh.environment(), **self.env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"Mongrel2 did not start; see {self.workdir}/logs/error.log") from None
        return self

    def stop(self, graceful: bool = True) -> None:
        """Stop Mongrel2 and wait for it to exit: with SIGTERM (it takes about 0.5 s), or at once with SIGKILL."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        (self.workdir / "run" / "mongrel2.pid").unlink(missing_ok=True)

    def __enter__(self) -> Mongrel2Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
