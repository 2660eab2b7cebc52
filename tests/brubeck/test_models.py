"""Model rules and views, and time helpers."""

import time
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from brubeck.models import User, UserProfile
from brubeck.timekeeping import curtime, isoformat, prettydate, to_datetime

# -- User -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, stored",
    [("Ann", "ann"), ("  Bob.Smith ", "bob.smith"), ("a_b-c.9", "a_b-c.9"), ("ab", "ab"), ("x" * 30, "x" * 30)],
)
def test_valid_usernames_are_lower_cased(given, stored):
    assert User(username=given).username == stored


@pytest.mark.parametrize("username", ["a", "x" * 31, "has space", "ünïcode", "semi;colon", "", "a/b"])
def test_invalid_usernames(username):
    with pytest.raises(ValidationError):
        User(username=username)


def test_username_is_checked_on_assignment():
    user = User(username="ann")
    with pytest.raises(ValidationError):
        user.username = "no good"
    assert user.username == "ann"


def test_the_owners_view_never_contains_the_password_hash():
    user = User(username="ann", email="ann@example.com", password_hash="$2b$12$secret", last_login=5)
    owner = user.to_owner_json()
    assert "password_hash" not in owner
    assert "$2b$12$secret" not in str(owner)
    assert (owner["username"], owner["email"], owner["last_login"]) == ("ann", "ann@example.com", 5)


def test_user_password():
    user = User(username="ann")
    user.set_password("s3cret pass")
    assert user.password_hash.startswith("$2")
    assert user.check_password("s3cret pass")
    assert not user.check_password("wrong")
    assert not User(username="bob").check_password("")


def test_bad_email_is_refused():
    with pytest.raises(ValidationError):
        User(username="ann", email="not-an-email")


def test_profile_limits():
    assert UserProfile(owner="ann", display_name="Ann").to_owner_json()["display_name"] == "Ann"
    with pytest.raises(ValidationError):
        UserProfile(owner="ann", display_name="x" * 81)


# -- time -----------------------------------------------------------------------------------

NOW = 1_700_000_000_000
SECOND, MINUTE, HOUR, DAY = 1000, 60_000, 3_600_000, 86_400_000


@pytest.mark.parametrize(
    "ago, words",
    [
        (0, "just now"),
        (30 * SECOND, "just now"),
        (-5 * MINUTE, "just now"),  # a little in the future
        (50 * SECOND, "1 minute ago"),
        (5 * MINUTE, "5 minutes ago"),
        (59 * MINUTE, "59 minutes ago"),
        (1 * HOUR, "1 hour ago"),
        (3 * HOUR, "3 hours ago"),
        (1 * DAY, "yesterday"),
        (3 * DAY, "3 days ago"),
        (60 * DAY, "2 months ago"),
        (400 * DAY, "1 year ago"),
        (800 * DAY, "2 years ago"),
    ],
)
def test_prettydate(ago, words):
    assert prettydate(NOW - ago, now=NOW) == words


def test_prettydate_defaults_to_now():
    assert prettydate(curtime() - 5 * MINUTE) == "5 minutes ago"


@pytest.mark.parametrize("ms", [0, 999, 1000, -1, -1001, 1795432100947, 1795432100999, 253402300799999])
def test_isoformat_is_utc_to_the_second(ms):
    expected = datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    assert isoformat(ms) == expected


def test_isoformat_drops_the_milliseconds():
    assert isoformat(1795432100947) == "2026-11-23T11:08:20Z"


def test_curtime_is_integer_milliseconds():
    before = int(time.time() * 1000)
    now = curtime()
    after = int(time.time() * 1000)
    assert isinstance(now, int)
    assert before <= now <= after


def test_to_datetime():
    assert to_datetime(NOW) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
