"""``m2sh load``: a Mongrel2 config text into the SQLite database Mongrel2 runs from."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

MONGREL2_MISSING = "Mongrel2 is not installed. On Debian or Ubuntu run: sudo apt-get install mongrel2-core"


def available() -> bool:
    """True when ``mongrel2`` and ``m2sh`` are on the PATH."""
    return bool(shutil.which("mongrel2") and shutil.which("m2sh"))


def environment() -> dict[str, str]:
    """The environment m2sh and mongrel2 need (they refuse to run without ``LOGNAME``)."""
    return dict(os.environ, LOGNAME=os.environ.get("LOGNAME") or "brubeck")


def load(config_text: str, workdir: Path) -> Path:
    """Write ``config_text`` to ``workdir/run/mongrel2.conf`` and load it into ``run/config.sqlite``.

    Makes ``run/``, ``logs/`` and ``tmp/`` under ``workdir`` (Mongrel2 chroots
    there when run as root); raises RuntimeError when m2sh is missing or refuses.
    """
    if not available():
        raise RuntimeError(MONGREL2_MISSING)
    for sub in ("run", "logs", "tmp"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    config = workdir / "run" / "mongrel2.conf"
    config.write_text(config_text)
    database = workdir / "run" / "config.sqlite"
    database.unlink(missing_ok=True)
    (workdir / "run" / "mongrel2.pid").unlink(missing_ok=True)
    result = subprocess.run(
        ["m2sh", "load", "-config", str(config), "-db", str(database)],
        capture_output=True,
        text=True,
        cwd=workdir,
        env=environment(),
    )
    if result.returncode or "ERROR" in result.stderr + result.stdout:  # m2sh exits 0 on errors
        raise RuntimeError(f"m2sh could not load {config}:\n{result.stderr}{result.stdout}")
    return database
