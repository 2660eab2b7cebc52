"""Run a Mongrel2 server from a config: for development, tests and benchmarks.

Mongrel2 runs in the foreground (``server.daemonize`` 0) so that stopping
this process's child stops it.  ``single_handler_config`` writes the config
of one host whose every path goes to one handler.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

MONGREL2_MISSING = (
    "Mongrel2 is not installed. On Debian or Ubuntu run: sudo apt-get install mongrel2-core"
)


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def single_handler_config(port: int, send_spec: str, recv_spec: str, server_uuid: str,
                          static_dir: str | None = None) -> str:
    """A config for one server whose routes all go to one handler."""
    static = f"'/static/': Dir(base='{static_dir}/', index_file='index.html', default_ctype='text/plain'), " \
        if static_dir else ""
    return f"""
handler = Handler(send_spec='{send_spec}', send_ident='{uuid.uuid4()}', recv_spec='{recv_spec}', recv_ident='')
main = Server(
    uuid="{server_uuid}", chroot="./", name="brubeck",
    access_log="logs/access.log", error_log="logs/error.log", pid_file="run/mongrel2.pid",
    default_host="localhost", port={port},
    hosts=[Host(name="localhost", matching="(.*)", routes={{{static}'/': handler}})]
)
settings = {{"server.daemonize": 0, "zeromq.threads": 1, "limits.content_length": 20971520,
             "limits.buffer_size": 65536, "upload.temp_store": "/tmp/mongrel2.upload.XXXXXX"}}
servers = [main]
"""


class Mongrel2Server:
    """A Mongrel2 process for a config text, run from ``workdir``."""

    def __init__(self, config_text: str, workdir: str | Path, server_uuid: str, port: int) -> None:
        self.config_text = config_text
        self.workdir = Path(workdir)
        self.server_uuid = server_uuid
        self.port = port
        self.process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return bool(shutil.which("mongrel2") and shutil.which("m2sh"))

    def load(self) -> Path:
        """Write the config and load it into ``run/config.sqlite``."""
        if not self.available():
            raise RuntimeError(MONGREL2_MISSING)
        for sub in ("run", "logs", "tmp"):
            (self.workdir / sub).mkdir(parents=True, exist_ok=True)
        config = self.workdir / "run" / "mongrel2.conf"
        config.write_text(self.config_text)
        database = self.workdir / "run" / "config.sqlite"
        database.unlink(missing_ok=True)
        (self.workdir / "run" / "mongrel2.pid").unlink(missing_ok=True)
        env = dict(os.environ, LOGNAME=os.environ.get("LOGNAME") or "brubeck")
        result = subprocess.run(["m2sh", "load", "-config", str(config), "-db", str(database)],
                                capture_output=True, text=True, cwd=self.workdir, env=env)
        if result.returncode or "ERROR" in result.stderr + result.stdout:  # m2sh exits 0 on errors
            raise RuntimeError(f"m2sh could not load {config}:\n{result.stderr}{result.stdout}")
        return database

    def start(self, timeout: float = 10.0) -> Mongrel2Server:
        """Load the config, start Mongrel2 and wait until it listens."""
        self.load()
        env = dict(os.environ, LOGNAME=os.environ.get("LOGNAME") or "brubeck")
        self.process = subprocess.Popen(
            ["mongrel2", "run/config.sqlite", self.server_uuid], cwd=self.workdir, env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_for_port(self.port, timeout)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"Mongrel2 did not start; see {self.workdir}/logs/error.log") from None
        return self

    def stop(self) -> None:
        """Stop Mongrel2 and wait for it to exit."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
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
