"""People who sign in (admins, film-commission staff, authority officers, producers), their sessions,
second factors and sign-in throttling."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import clock
from ..core.extensions import db
from ..core.roles import ROLES  # noqa: F401 (the model's vocabulary, re-exported for the registry)
from ..directory.models import FilmCommission
from ..permits.models import PermitAuthority


class User(UserMixin, db.Model):
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    commission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("film_commission.id"), index=True)
    authority_id: Mapped[Optional[int]] = mapped_column(ForeignKey("permit_authority.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Part of the session identity: raising it (on disable or password change) ends every session.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Producers sign themselves up and may act only once they proved the address is theirs.
    email_verified_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Base32 TOTP secret: set when enrolment starts, in force once totp_enabled_at is set.
    totp_secret: Mapped[Optional[str]] = mapped_column(String(64))
    totp_enabled_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # The last 30-second time step whose code was accepted: a code is good only once.
    totp_last_step: Mapped[Optional[int]] = mapped_column(Integer)
    # Notification email groups the user muted, ";"-separated codes (accounts.notifications.EMAIL_GROUPS).
    email_muted: Mapped[str] = mapped_column(String(300), default="", server_default="")

    commission: Mapped[Optional[FilmCommission]] = relationship()
    authority: Mapped[Optional[PermitAuthority]] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def totp_enabled(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def muted_email_groups(self) -> set[str]:
        return {code for code in (self.email_muted or "").split(";") if code}


class UserSession(db.Model):
    """One signed-in browser. The cookie carries a random token; only its SHA-256 is stored, and a
    session counts only while this row is open, younger than its absolute expiry and not idle."""

    __tablename__ = "user_session"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # Fixed at sign-in (created_at + SESSION_ABSOLUTE_HOURS); use never moves it.
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    ip: Mapped[Optional[str]] = mapped_column(String(45))
    user_agent: Mapped[Optional[str]] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator; stored as SHA-256 (the codes are random)."""

    __tablename__ = "recovery_code"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    used_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class LoginThrottle(db.Model):
    """Failed sign-ins per normalised email, whether or not an account has it (so answers do not tell),
    kept in the database so every worker sees the same count and a restart forgets nothing."""

    __tablename__ = "login_throttle"

    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    # Lockouts since the last successful sign-in; each one lasts twice as long as the one before.
    lockouts: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    locked_until: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))


class Notification(db.Model):
    """An in-app message to one user; the text is rendered from ``kind`` and ``params`` in the reader's
    language, so it is stored once and read in Japanese or English."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    link: Mapped[Optional[str]] = mapped_column(String(300))  # app-relative URL
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    read_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    emailed_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    # Reminders are sent once per step, kind and day: the key makes the daily command idempotent.
    dedupe_key: Mapped[Optional[str]] = mapped_column(String(120), unique=True)

    user: Mapped[User] = relationship()


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
