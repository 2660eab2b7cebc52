"""``create_app(settings, store)``: an app built from the settings it is given, opening no socket and leaving
the data folder and logging alone; and ``conf.settings.from_env``, which reads the environment once, in a
process's ``__main__``."""

from __future__ import annotations

import logging
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from conf.settings import from_env
from shared.store import SQLITE_FILE, Store
from shared.web import SiteApp
from tests.support.apps.accounts_app import create_app
from tests.support.inprocess import AccountBrowser, settings_for
from tests.support.servers import ROOT


def test_given_settings_and_a_store_it_serves_without_a_socket_the_data_folder_or_logging_setup(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured = []
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: configured.append(kwargs))
    data_dir = tmp_path / "var"
    app = create_app(settings_for(data_dir, cookie_secret="given", cookie_secure=True), store)
    assert isinstance(app, SiteApp) and app.store is app.db_conn is store
    assert (app.cookie_secret, app.title, app.config.data_dir) == ("given", "Accounts", data_dir)

    browser = AccountBrowser(app)
    page = browser.get("/login")
    assert "<h1>Log in</h1>" in page.text
    assert "Secure" in page.headers["Set-Cookie"]  # the CSRF cookie, under cookie_secure
    assert browser.sign_up("alice").status == 302
    assert store.users.get("alice") is not None

    assert (app.msg_conn.in_sock, app.msg_conn.out_sock) == (None, None)  # Mongrel2's sockets open in run()
    assert not data_dir.exists()
    assert configured == []  # logging is the process's __main__'s business


def test_without_a_store_it_opens_the_one_the_settings_name(tmp_path: Path) -> None:
    app = create_app(settings_for(tmp_path / "var"), None)  # type: ignore[arg-type]
    assert AccountBrowser(app).sign_up("alice").status == 302
    assert (tmp_path / "var" / SQLITE_FILE).exists()  # the embedded store, in the settings' data folder
    app.store.close()


def test_the_environment_gives_the_settings_and_nothing_else_is_read(tmp_path: Path) -> None:
    settings = from_env(
        {
            "SUITE_DATA_DIR": str(tmp_path),
            "COOKIE_SECRET": "from the environment",
            "COOKIE_SECURE": "yes",
            "SUITE_PORT": "7000",
            "LINKS_PER_ACCOUNT": "12",
            "CHAT_POLL_TIMEOUT": "3",
            "BRUBECK_PULL": "tcp://127.0.0.1:1",
            "BRUBECK_PUB": "tcp://127.0.0.1:2",
        }
    )
    assert (settings.cookie_secret, settings.cookie_secure, settings.links_per_account) == (
        "from the environment",
        True,
        12,
    )
    assert settings.chat.poll_timeout == 3.0 and settings.suite_url == "http://localhost:7000/"
    site = settings.site("listsurf")
    assert (site.url, site.pull_addr, site.pub_addr) == (
        "http://listsurf.localhost:7000",
        "tcp://127.0.0.1:1",
        "tcp://127.0.0.1:2",
    )
    defaults = from_env({"SUITE_DATA_DIR": str(tmp_path)})
    assert (
        defaults.site("readify").pull_addr == "tcp://127.0.0.1:9902"
    )  # HANDLER_PORT_BASE 9900, its place in conf/sites.py
    with pytest.raises(LookupError, match="no site named 'nowhere'"):
        defaults.site("nowhere")


def test_without_a_cookie_secret_one_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    first, second = from_env({"SUITE_DATA_DIR": str(tmp_path)}), from_env({"SUITE_DATA_DIR": str(tmp_path)})
    assert first.cookie_secret == second.cookie_secret == (tmp_path / "cookie_secret").read_text().strip()
    assert len(first.cookie_secret) >= 64
    assert replace(first, cookie_secret="x").cookie_secret == "x"


def test_nothing_under_the_framework_or_shared_reads_the_suites_configuration() -> None:
    found = subprocess.run(
        ["grep", "-rnE", r"from conf|import conf|os\.environ|getenv", "brubeck", "shared"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    offenders = [line for line in found.stdout.splitlines() if "from conf" in line or "import conf" in line]
    assert offenders == [], offenders
    assert "shared/" not in found.stdout, found.stdout  # shared/ takes everything from the settings
