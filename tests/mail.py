"""Mail in tests: the outbox rows a person was sent, the links in them, and a real local SMTP sink."""
from __future__ import annotations

import re
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import select

from locations.accounts.models import OutboxMessage
from locations.core.extensions import db


def emails_to(address: str, kind: str | None = None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def link_in(message: OutboxMessage, path: str) -> str:
    """The path (from ``path`` on, without the site's address) of the first link to ``path`` in an email."""
    found = re.search(rf"https?://[^/\s]+({re.escape(path)}[^\s]*)", message.body)
    assert found, f"no {path} link in: {message.body}"
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's hook name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpSink:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives: ``start()``, read
    ``messages``, ``stop()``."""

    def __init__(self) -> None:
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.sink.messages

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


class mail_settings:
    """Point the app's mail settings at ``port`` on 127.0.0.1 for a test, then put them back."""

    KEYS = ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS", "MAIL_USERNAME")

    def __init__(self, app, port: int) -> None:
        self.app, self.port = app, port

    def __enter__(self):
        self.saved = {key: self.app.config.get(key) for key in self.KEYS}
        self.app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=self.port, MAIL_USE_TLS=False, MAIL_USERNAME="")
        return self

    def __exit__(self, *exc) -> None:
        self.app.config.update(self.saved)
