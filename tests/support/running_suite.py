"""Sites as the suite runs them: one Mongrel2 loaded from conf/mongrel2.conf (its real hosts, matched
exactly, and the sites' static folders), each site's handler process on the ports conf/settings.py gives
it, one database.

``with running_suite(folder, ["readify.web", "readify.api"]) as suite`` starts them; ``suite.client(host)``
talks to one site through Mongrel2 by its Host header.  ``[*FETCHER, "readify.web"]`` runs Readify's page
fetcher too (its hub and one fetcher process), allowed to fetch loopback addresses (the tests' pages).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from brubeck.testing import Mongrel2Server, free_port
from conf.bringup import SERVER_UUID
from conf.sites import SERVICES, SITES
from tests.support.bringup import HANDLER_PORTS
from tests.support.clients import SiteClient
from tests.support.servers import NO_REDIS, ROOT, require_binary

START_TIMEOUT_S = 30
HOSTS = {
    "listsurf": "listsurf.localhost",
    "readify.web": "readify.localhost",
    "readify.api": "api.readify.localhost",
    "spotichat": "spotichat.localhost",
    "nojs": "nojs.localhost",
    "conf.landing": "localhost",
}
READY_PATHS = {"readify.api": "/", "conf.landing": "/"}  # the pages' processes: /login
FETCHER = ("conf.service_hub readify-fetcher", "readify.fetcher")
"""The modules (with their arguments) of Readify's page fetcher: its hub, and one fetcher process."""
LEFT_OUT = {"BRUBECK_PULL", "BRUBECK_PUB", "MONGODB_URL", "SUITE_PROCESSES", "MONGREL2_HOST", "MONGREL2_BIND"}


@dataclass
class RunningSuite:
    """Mongrel2 on ``port`` and a process per module named (a module named twice runs twice), their
    data in ``data_dir``."""

    port: int
    data_dir: Path
    mongrel2: Mongrel2Server
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def of(self, module: str) -> list[subprocess.Popen[bytes]]:
        """The processes running ``module``."""
        return [process for name, process in self.processes if name == module]

    def host(self, module: str) -> str:
        return f"{HOSTS[module]}:{self.port}"

    def client(self, module: str) -> SiteClient:
        """A client for ``module``'s site, by its host name (``http://readify.localhost:PORT``)."""
        return SiteClient(f"http://{self.host(module)}")

    def wait_for(self, module: str) -> None:
        """Wait until ``module``'s site answers through Mongrel2."""
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            for process in self.of(module):
                assert process.poll() is None, f"python -m {module} exited with {process.returncode}"
            try:
                if self.client(module).get(READY_PATHS.get(module, "/login"), timeout=2).status_code < 500:
                    return
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, f"python -m {module} did not answer in {START_TIMEOUT_S}s"
            time.sleep(0.1)


def _environment(port: int, data_dir: Path, workdir: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in LEFT_OUT}
    env.update(
        PYTHONPATH=str(ROOT),
        SUITE_PORT=str(port),
        HANDLER_PORT_BASE=str(free_port(HANDLER_PORTS)),
        SERVICE_PORT_BASE=str(free_port(4 * len(SERVICES))),
        FETCHER_ALLOW_PRIVATE="1",
        SUITE_DATA_DIR=str(data_dir),
        COOKIE_SECRET="readify-api-test-secret",
        MONGREL2_CHROOT=str(workdir),
        BRUBECK_BCRYPT_ROUNDS="4",
        LOG_LEVEL="WARNING",
        REDIS_URL=NO_REDIS,  # unless the test gives one
    )
    return env


@contextmanager
def running_suite(
    folder: Path, modules: Sequence[str], environ: Mapping[str, str] | None = None
) -> Iterator[RunningSuite]:
    """Mongrel2 from conf/mongrel2.conf and ``python -m MODULE`` for each module (and the landing page, which
    answers every other host), stopped on the way out; the sites' are waited for until they answer.
    ``environ`` adds to (or changes) the processes' environment."""
    modules = [*modules, "conf.landing"]
    require_binary("mongrel2", "mongrel2-core")
    port, workdir, data_dir = free_port(), folder / "mongrel2", folder / "data"
    env = {**_environment(port, data_dir, workdir), **(environ or {})}
    rendered = subprocess.run(
        [
            sys.executable,
            "-c",
            "from conf.bringup import mongrel2_config; from conf.settings import deployment;"
            " print(mongrel2_config(deployment()))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    (workdir / "run" / "logs").mkdir(parents=True)
    for site in SITES.values():  # Mongrel2 serves them from inside its chroot, the work folder
        if site.static and (ROOT / site.static).is_dir():
            shutil.copytree(ROOT / site.static, workdir / site.static)
    suite = RunningSuite(port, data_dir, Mongrel2Server(rendered.stdout, workdir, SERVER_UUID, port).start())
    try:
        for module in modules:
            command = [sys.executable, "-m", *module.split()]
            suite.processes.append((module, subprocess.Popen(command, cwd=ROOT, env=env)))
        for module in dict.fromkeys(modules):
            if module in HOSTS:
                suite.wait_for(module)
        yield suite
    finally:
        for _, process in suite.processes:
            if process.poll() is None:
                process.terminate()
        for _, process in suite.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        suite.mongrel2.stop()
