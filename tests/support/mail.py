"""A real SMTP server for the tests (aiosmtpd, in a thread, on a free loopback port): ``smtp_server``.

``smtp_server.url`` is what ``SMTP_URL`` is set to; ``smtp_server.wait_for(count)`` gives the mails it has
received once there are that many (waiting cooperatively, so that a greenlet sending one in this process runs).
"""

from __future__ import annotations

import email
import time
from collections.abc import Iterator
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from brubeck import concurrency
from brubeck.testing import free_port


class Inbox:
    """What the server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's name)
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted"


class SMTPServer:
    def __init__(self, controller: Controller, inbox: Inbox) -> None:
        self.controller = controller
        self.inbox = inbox
        self.url = f"smtp://127.0.0.1:{controller.port}"

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Message]:
        """The mails received, once there are ``count`` (or after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while len(self.inbox.messages) < count and time.monotonic() < deadline:
            concurrency.sleep(0.05)
        return list(self.inbox.messages)


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SMTPServer(controller, inbox)
    finally:
        controller.stop()
