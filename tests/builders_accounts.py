"""Builders for the account tests: the emails a user was sent, and the links in them."""
from __future__ import annotations

import re

from sqlalchemy import delete, select

from locations.accounts.models import LoginThrottle, OutboxMessage, User
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


def forget_people(*addresses: str) -> None:
    """Remove test accounts with their mail and throttle rows (sessions and codes go by cascade)."""
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.to_address.in_(addresses)))
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email.in_(addresses)))
    db.session.execute(delete(User).where(User.email.in_(addresses)))
    db.session.commit()
