"""Outgoing email, written in the same transaction as the change it tells about and sent by the worker."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import clock
from ..core.extensions import db
from .productions import Notification


class OutboxMessage(db.Model):
    """One email to send. A notification's email is rendered from the notification when it is sent (in both
    languages); account emails (address checks, password resets) carry their finished subject and body."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # "notification" or an account email's purpose
    to_address: Mapped[str] = mapped_column(String(254))
    notification_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("notification.id", ondelete="CASCADE"), index=True)
    subject: Mapped[Optional[str]] = mapped_column(String(300))
    body: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # The worker takes messages whose time has come, oldest first; a failure pushes this back (backoff).
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # While a worker holds a message, no other takes it; a worker that dies releases it when this passes.
    claimed_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), index=True)
    # Set when the message will not be tried again (too many attempts, too old, recipient refused…).
    given_up_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[Optional[str]] = mapped_column(String(300))

    notification: Mapped[Optional[Notification]] = relationship()


class JobRun(db.Model):
    """A daily job done for one day in Japan: the unique key stops two workers from both running it."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD in JST
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    summary: Mapped[Optional[str]] = mapped_column(String(300))
