"""Sending a mail through the SMTP server the settings name (``SMTP_URL``), without holding up other requests."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlsplit

from brubeck.concurrency import run_in_thread

TIMEOUT_S = 10.0


class MailFailed(Exception):
    """The mail could not be handed to the SMTP server."""


def send_mail(smtp_url: str, sender: str, to: str, subject: str, text: str) -> None:
    """Hand a plain-text mail to the server at ``smtp_url`` (smtp://, smtps://; ``?starttls=1``).

    The talk with the server runs in the thread pool; :class:`MailFailed` if it fails.
    """
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message.set_content(text)
    try:
        run_in_thread(_deliver, smtp_url, message)
    except (OSError, smtplib.SMTPException) as error:
        raise MailFailed(str(error)) from error


def _deliver(smtp_url: str, message: EmailMessage) -> None:
    parts = urlsplit(smtp_url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailFailed(f"SMTP_URL is not smtp://host[:port] or smtps://host[:port]: {parts.scheme}://…")
    client_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    port = parts.port or (465 if parts.scheme == "smtps" else 25)
    with client_class(parts.hostname, port, timeout=TIMEOUT_S) as client:
        if parts.scheme == "smtp" and parse_qs(parts.query).get("starttls") == ["1"]:
            client.starttls()
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(message)
