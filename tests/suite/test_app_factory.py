"""``listsurf.app.create_app(settings=..., db=...)``: the app tests drive in this process, built from the
configuration it is given, opening no socket and leaving the data folder and logging alone."""

from __future__ import annotations

import logging

import pytest

from conf import settings as suite
from listsurf.app import create_app
from shared.store import SQLITE_FILE
from tests.support.listsurf_pages import Browser


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """The suite's data folder (SUITE_DATA_DIR), moved into the test's folder; not created."""
    folder = tmp_path / "var"
    monkeypatch.setattr(suite, "DATA_DIR", folder)
    monkeypatch.setattr(suite, "MONGODB_URL", None)
    monkeypatch.delenv("COOKIE_SECRET", raising=False)
    return folder


def test_given_settings_and_db_it_serves_without_a_socket_the_data_folder_or_logging_setup(
    data_dir, store, monkeypatch
):
    configured = []
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: configured.append(kwargs))
    app = create_app(settings={"cookie_secret": "given", "cookie_secure": True, "site_title": "Elsewhere"}, db=store)
    assert app.db_conn is store
    assert (app.cookie_secret, app.settings["site_title"]) == ("given", "Elsewhere")

    browser = Browser(app)
    page = browser.get("/login")
    assert "<h1>Log in</h1>" in page.text
    assert "Secure" in page.headers["Set-Cookie"]  # the CSRF cookie, under cookie_secure
    assert browser.sign_up("alice").status == 302
    assert store.users.get("alice") is not None

    assert (app.msg_conn.in_sock, app.msg_conn.out_sock) == (None, None)  # Mongrel2's sockets open in run()
    assert not data_dir.exists()
    assert configured == []  # logging is python -m listsurf's business


def test_without_them_it_takes_the_suites_configuration(data_dir, monkeypatch):
    monkeypatch.setenv("COOKIE_SECRET", "from the environment")
    monkeypatch.setenv("BRUBECK_PULL", "tcp://127.0.0.1:1")
    monkeypatch.setenv("BRUBECK_PUB", "tcp://127.0.0.1:2")
    app = create_app()
    assert app.cookie_secret == "from the environment"
    assert (app.msg_conn.pull_addr, app.msg_conn.pub_addr) == ("tcp://127.0.0.1:1", "tcp://127.0.0.1:2")
    assert app.cookie_secure is suite.COOKIE_SECURE
    assert app.settings["site_title"] == "Listsurf"

    assert Browser(app).sign_up("alice").status == 302
    assert (data_dir / SQLITE_FILE).exists()  # the embedded store, in SUITE_DATA_DIR
    app.db_conn.close()


def test_without_a_cookie_secret_one_is_generated_into_the_data_folder(data_dir, store):
    first, second = create_app(db=store), create_app(db=store)
    assert first.cookie_secret == second.cookie_secret == (data_dir / "cookie_secret").read_text().strip()
