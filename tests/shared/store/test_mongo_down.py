"""MongoDB out of reach is a clear error (SQLite shared by processes: tests/listsurf/test_store_processes.py)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pymongo.errors
import pytest

from brubeck.testing import free_port
from shared.store import UNAVAILABLE, open_store


def test_unreachable_mongodb_logs_one_line_and_answers_unavailable(caplog: pytest.LogCaptureFixture) -> None:
    started = time.monotonic()
    with caplog.at_level(logging.ERROR, logger="shared.store"):
        store = open_store(f"mongodb://127.0.0.1:{free_port()}/suite_test", Path("unused"), timeout_ms=200)
    errors = [r for r in caplog.records if r.name == "shared.store" and r.levelno == logging.ERROR]
    assert len(errors) == 1 and "MongoDB unreachable" in errors[0].getMessage()
    assert errors[0].exc_info is None  # one clear line, no traceback
    with pytest.raises(UNAVAILABLE) as raised:
        store.users.get("alice")
    assert isinstance(raised.value, pymongo.errors.ConnectionFailure)
    assert time.monotonic() - started < 5
    store.close()
