"""Bring the suite up: ``python -m conf.bringup prepare|run``.

``prepare`` makes var/ and run/, the cookie secret, Mongrel2's config
database, the landing page and run/Procfile.  ``run`` prepares, then hands
over to honcho, which starts every process in the Procfile and stops them
all on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import html
import os
import shlex
import shutil
import sys
from pathlib import Path
from string import Template

from brubeck import m2sh

from . import settings

CONF = Path(__file__).resolve().parent
SERVER_UUID = "2f62bd5e-9a5e-4c31-b0a1-6d4e1c0f7b11"

# Every site of the suite, in the order the landing page lists them.
DESCRIPTIONS = {
    "listsurf": ("Listsurf", "Save links for later, with a bookmarklet and a JSON API."),
    "readify": ("Readify", "Listsurf grown up: profiles, tags, likes, archive and a dashboard."),
    "spotichat": ("SpotiChat", "A chat room for every Spotify track, live by long-polling."),
    "nojs": ("no.js", "Chat with zero JavaScript, for the oldest browsers."),
}


def _render(template: str, **values: object) -> str:
    return Template((CONF / template).read_text()).substitute({k: str(v) for k, v in values.items()})


def mongrel2_config() -> str:
    """conf/mongrel2.conf with this machine's ports filled in."""
    ports = {}
    for site in settings.SITES.values():
        ports[f"{site.name}_send"] = site.send_port
        ports[f"{site.name}_recv"] = site.recv_port
    return _render(
        "mongrel2.conf", bind=settings.MONGREL2_BIND, port=settings.SUITE_PORT, server_uuid=SERVER_UUID, **ports
    )


def landing_page() -> str:
    """The page at http://localhost:PORT/: one line and one link per site."""
    items = []
    for name, (title, line) in DESCRIPTIONS.items():
        site = settings.SITES.get(name)
        link = (
            f'<a href="{html.escape(site.url)}">{html.escape(title)}</a>'
            if site
            else f'<span class="soon">{html.escape(title)}</span> (not built yet)'
        )
        items.append(f"  <li>{link}: {html.escape(line)}</li>")
    return _render("landing.html", sites="\n".join(items))


def procfile() -> str:
    """conf/Procfile for this machine, without Redis when REDIS_URL is set."""
    text = _render(
        "Procfile",
        python=sys.executable,
        server_uuid=SERVER_UUID,
        redis_port=settings.REDIS_PORT,
        redis_dir=shlex.quote(str(settings.DATA_DIR / "redis")),
    )
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    if not settings.OWN_REDIS:
        lines = [line for line in lines if not line.startswith("redis:")]
    return "\n".join(lines) + "\n"


def prepare() -> Path:
    """Make everything the processes need; return the Procfile's path."""
    if not m2sh.available():
        sys.exit(m2sh.MONGREL2_MISSING)
    if settings.OWN_REDIS and shutil.which("redis-server") is None:
        sys.exit(
            "Redis is not installed. On Debian or Ubuntu run: sudo apt-get install redis-server "
            "(or set REDIS_URL to use a Redis elsewhere)"
        )
    root = settings.ROOT
    for folder in (root / "run" / "logs", root / "run" / "www", settings.DATA_DIR / "redis"):
        folder.mkdir(parents=True, exist_ok=True)
    settings.cookie_secret()
    print("Loading conf/mongrel2.conf into run/config.sqlite", flush=True)
    m2sh.load(mongrel2_config(), root)
    (root / "run" / "www" / "index.html").write_text(landing_page())
    path = root / "run" / "Procfile"
    path.write_text(procfile())
    return path


def concurrency_flags() -> list[str]:
    """honcho's ``-c`` from SUITE_PROCESSES ("listsurf=3,readify-api=2")."""
    wanted = os.environ.get("SUITE_PROCESSES", "").strip()
    return ["-c", wanted] if wanted else []


def run() -> None:
    """Prepare, print the URLs, and become honcho."""
    path = prepare()
    print(f"\nThe Brubeck suite is starting on port {settings.SUITE_PORT}:")
    print(f"  http://localhost:{settings.SUITE_PORT}/  (landing page)")
    for site in settings.SITES.values():
        print(f"  {site.url}")
    print("Ctrl-C stops everything.\n", flush=True)
    honcho = shutil.which("honcho", path=os.path.dirname(sys.executable)) or "honcho"
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    os.environ.setdefault("LOGNAME", "brubeck")
    os.chdir(settings.ROOT)
    os.execv(honcho, [honcho, "start", "-f", str(path), "-d", str(settings.ROOT), *concurrency_flags()])


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "prepare":
        prepare()
    elif command == "run":
        run()
    else:
        sys.exit("usage: python -m conf.bringup [prepare|run]")
