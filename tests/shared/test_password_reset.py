"""A forgotten password (shared/password_reset.py), in this process with a real SMTP server: the link mailed,
followed, and refused once used or expired; the same answer for an unknown address; no mail without SMTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace

import pytest

from conf.settings import ROOT
from shared.models import User
from shared.password_reset import SENT, reset_token, user_for_token
from shared.settings import Settings
from shared.store import Store, open_store
from shared.users import create_user
from tests.support.apps import accounts_app
from tests.support.inprocess import AccountBrowser
from tests.support.pages import PASSWORD, field_error

NEW_PASSWORD = "my brand new password"
LINK = re.compile(r"http://\S+/reset/(\S+)")


@pytest.fixture
def mailing(settings: Settings, store: Store, smtp_server):  # type: ignore[no-untyped-def]
    """The accounts' pages of a site that mails through ``smtp_server``; a browser signed up as alice."""
    config = replace(settings, smtp_url=smtp_server.url, mail_from="Suite <suite@example.org>")
    app = accounts_app.create_app(config, store)
    alice = AccountBrowser(app)
    alice.sign_up("alice", email="alice@example.com")
    alice.log_out()
    return app, alice


def test_a_link_mailed_sets_a_new_password_once(mailing, smtp_server, store: Store):
    app, alice = mailing
    form = alice.get("/reset")
    assert form.status == 200 and 'name="email"' in form.text
    assert 'href="/reset"' in alice.get("/login").text
    asked = alice.post_form("/reset", {"email": " Alice@Example.com "})
    assert asked.status == 200 and SENT in asked.text
    [mail] = smtp_server.wait_for(1)
    assert (mail["To"], mail["From"], mail["Subject"]) == (
        "alice@example.com",
        "Suite <suite@example.org>",
        "A new password for alice",
    )
    body = mail.get_payload(decode=True).decode()
    url = LINK.search(body).group(0)
    assert url.startswith(app.site.url + "/reset/")  # the configured address, never the request's Host
    path = url.removeprefix(app.site.url)
    page = alice.get(path)
    assert page.status == 200 and "<strong>alice</strong>" in page.text
    short = alice.post_form(path, {"new_password": "short"})
    assert short.status == 400 and field_error(short.text, "new_password") == "Use at least 8 characters."
    done = alice.post_form(path, {"new_password": NEW_PASSWORD})
    assert (done.status, done.location) == (303, "/account?done=password")
    assert alice.get("/account").status == 200  # signed in
    used = alice.get(path)
    assert used.status == 400 and "expired or was used already" in used.text
    alice.log_out()
    assert alice.log_in("alice", PASSWORD).status == 401
    assert alice.log_in("alice", NEW_PASSWORD).status == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(mailing, smtp_server):
    _, alice = mailing
    answer = alice.post_form("/reset", {"email": "nobody@example.com"})
    assert answer.status == 200 and SENT in answer.text
    assert smtp_server.wait_for(1, timeout=1) == []
    assert alice.post_form("/reset", {"email": "not an address"}).status == 400


def test_a_forged_or_expired_token_is_refused(mailing, store: Store, settings: Settings):
    _, alice = mailing
    user = store.users.get("alice")
    token = reset_token(settings.cookie_secret, user)
    assert user_for_token(store, settings.cookie_secret, token).id == "alice"
    assert user_for_token(store, "another secret", token) is None
    assert user_for_token(store, settings.cookie_secret, token, max_age=-1) is None
    assert alice.get("/reset/" + token[:-2] + "xx").status == 400


def test_asking_too_often_is_refused(mailing):
    _, alice = mailing
    for _ in range(5):
        assert alice.post_form("/reset", {"email": "nobody@example.com"}).status == 200
    refused = alice.post_form("/reset", {"email": "nobody@example.com"})
    assert refused.status == 429 and "Too many resets" in refused.text


def test_without_smtp_the_page_says_how_an_administrator_resets_a_password(visitor):
    page = visitor.get("/reset")
    assert page.status == 200 and "python -m conf.reset_password YOUR_USERNAME" in page.text
    assert 'action="/reset"' not in page.text


def test_an_administrator_sets_a_password_from_the_command_line(tmp_path):
    env = {**os.environ, "SUITE_DATA_DIR": str(tmp_path), "COOKIE_SECRET": "x", "SERVICE_PASSPHRASE": "x"}
    env.pop("MONGODB_URL", None)
    store = open_store(None, tmp_path)
    try:
        user = User(username="alice")
        user.set_password(PASSWORD)
        create_user(store, user)
    finally:
        store.close()

    def reset(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "conf.reset_password", *args]
        return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    missing = reset("nobody", "--generate")
    assert missing.returncode == 1 and "There is no account called 'nobody'." in missing.stderr
    done = reset("Alice", "--generate")
    assert done.returncode == 0, done.stderr
    password = done.stdout.split("new password: ")[1].split(".")[0]
    store = open_store(None, tmp_path)
    try:
        changed = store.users.get("alice")
        assert changed.check_password(password) and not changed.check_password(PASSWORD)
        assert changed.session_epoch == 1  # every session ended
    finally:
        store.close()
