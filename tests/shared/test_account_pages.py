"""The account page every site has (shared/accounts.py), in this process on the shared accounts' app: change
the password (every other session ends), change the email, delete the account (and with it its presence in
every chat room, on a real Redis); each needs the password."""

from __future__ import annotations

import logging
import uuid

from shared.chat.service import Chat
from shared.store import Store
from tests.support.apps import accounts_app
from tests.support.inprocess import AccountBrowser, settings_for
from tests.support.pages import PASSWORD, field_error

NEW_PASSWORD = "a new and longer one"


def change_password(browser, current: str, new: str):  # type: ignore[no-untyped-def]
    data = {"current_password": current, "new_password": new}
    return browser.post_form("/account/password", data, form_url="/account")


def test_the_account_page_needs_a_signed_in_user_and_its_forms_their_token(visitor, alice):
    assert visitor.get("/account").status == 302
    assert visitor.post("/account/delete", data={"confirm": "alice"}).status in (302, 403)
    page = alice.get("/account")
    assert page.status == 200 and "<h1>Your account</h1>" in page.text
    assert 'href="/account"' in alice.get("/tokens").text  # in every page's menu
    assert alice.post("/account/password", data={"current_password": PASSWORD, "new_password": "x" * 10}).status == 403


def test_a_new_password_needs_the_current_one_and_signs_every_other_session_out(alice, browser, store: Store):
    elsewhere = browser()
    assert elsewhere.log_in("alice").status == 302
    wrong = change_password(alice, "not my password", NEW_PASSWORD)
    assert wrong.status == 400
    assert field_error(wrong.text, "current_password") == "That is not your password."
    short = change_password(alice, PASSWORD, "short")
    assert short.status == 400 and field_error(short.text, "new_password") == "Use at least 8 characters."
    done = change_password(alice, PASSWORD, NEW_PASSWORD)
    assert (done.status, done.location) == (303, "/account")
    assert "Every other session of your account was signed out." in alice.get(done.location).text
    assert alice.get("/tokens").status == 200  # this browser stays signed in
    assert elsewhere.get("/tokens").status == 302  # the other one does not
    assert browser().log_in("alice").status == 401  # the old password no longer works
    assert browser().log_in("alice", NEW_PASSWORD).status == 302


def test_the_email_changes_with_the_password_and_is_checked(alice, store: Store):
    bad = alice.post_form(
        "/account/email", {"email": "not an address", "email_password": PASSWORD}, form_url="/account"
    )
    assert bad.status == 400 and field_error(bad.text, "email") == "That does not look like an email address."
    data = {"email": " Alice@Example.com ", "email_password": PASSWORD}
    assert alice.post_form("/account/email", data, form_url="/account").location == "/account"
    assert "Your email address is changed." in alice.get("/account").text
    assert store.users.get("alice").email == "alice@example.com"
    assert (
        alice.post_form("/account/email", {"email": "", "email_password": PASSWORD}, form_url="/account").status == 303
    )
    assert store.users.get("alice").email is None


def test_deleting_the_account_needs_its_name_and_password_then_leaves_nothing(alice, browser, store: Store, caplog):
    alice.new_token()
    unconfirmed = alice.post_form(
        "/account/delete", {"confirm": "bob", "delete_password": PASSWORD}, form_url="/account"
    )
    assert unconfirmed.status == 400 and field_error(unconfirmed.text, "confirm") == "Type your username to confirm."
    wrong = alice.post_form("/account/delete", {"confirm": "alice", "delete_password": "nope"}, form_url="/account")
    assert wrong.status == 400 and store.users.get("alice") is not None
    with caplog.at_level(logging.WARNING, logger="shared.chat"):
        gone = alice.post_form(
            "/account/delete", {"confirm": "Alice", "delete_password": PASSWORD}, form_url="/account"
        )
    assert (gone.status, gone.location) == (303, "/account/deleted")  # no Redis answers here: deleted all the same
    assert [r.getMessage().split(":")[0] for r in caplog.records] == ["alice is not taken out of the chat rooms"]
    assert "Your account is deleted" in alice.get("/account/deleted").text
    assert store.users.get("alice") is None and store.tokens.for_owner("alice") == []
    assert alice.get("/tokens").status == 302
    again = browser()
    taken = again.post_form("/create", {"username": "alice", "password": PASSWORD})
    assert taken.status == 409  # the name is kept from new accounts for a while


def test_deleting_the_account_takes_it_out_of_every_chat_room_at_once(tmp_path, store: Store, chat: Chat, redis_url):
    app = accounts_app.create_app(settings_for(tmp_path, {"REDIS_URL": redis_url}), store)
    name = f"gone{uuid.uuid4().hex[:8]}"  # the tests share a Redis
    leaver = AccountBrowser(app)
    leaver.sign_up(name)
    chat.join("room", name)
    chat.join("room", "stays")
    data = {"confirm": name, "delete_password": PASSWORD}
    assert leaver.post_form("/account/delete", data, form_url="/account").location == "/account/deleted"
    assert chat.presence.listeners("room") == ["stays"]  # at once, not after the presence's minute
    assert [(m.type, m.user) for m in chat.messages.latest("room").messages][-1] == ("left", name)
