"""Email from the outbox: changes add ``OutboxMessage`` rows in their own transaction; the worker sends them.

Nothing here runs inside a web request. ``deliver_outbox`` claims due messages (so two workers never take the
same one), sends them over one SMTP connection with a short timeout, and marks each one sent in a write
transaction of its own (``BEGIN IMMEDIATE`` on SQLite, so marking never fails with "database is locked" and
a message is not sent twice). A failure backs off (1, 2, 4 … minutes, at most 6 hours) and gives up after
``MAIL_MAX_ATTEMPTS`` or ``MAIL_RETRY_DAYS``. A worker that dies between sending and marking leaves its claim
to expire, after which the message is sent again: delivery is at least once, duplicates need a crash.
"""
from __future__ import annotations

import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Optional

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import selectinload

from ..core.clock import now as clock_now
from ..core.extensions import db
from .models import Notification, OutboxMessage
from .notifications import message, message_items

FOOTER = _l("Sent by Japan Film Locations. You can read all your notifications after signing in.")
# How long a worker may hold claimed messages before another worker may take them.
CLAIM_SECONDS = 300
MAX_BACKOFF = timedelta(hours=6)


def mail_enabled() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


def queue_email(to_address: str, subject: str, body: str, kind: str) -> OutboxMessage:
    """Add one finished email (an address check, a password reset…) to the outbox, in the caller's
    transaction: it is sent by the worker once that transaction commits, and never if it rolls back.

    Account emails are queued even when ``MAIL_SERVER`` is empty; the worker then writes them to the
    log, so that on a development machine the link can still be followed."""
    message_row = OutboxMessage(kind=kind, to_address=to_address, subject=_one_line(subject)[:300], body=body)
    db.session.add(message_row)
    db.session.flush()
    return message_row


def absolute_link(link: str | None) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{link or '/notifications'}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _envelope(to_address: str, subject: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = current_app.config.get("MAIL_FROM") or "noreply@localhost"
    mail["To"] = to_address
    subject = _one_line(subject)
    mail["Subject"] = subject[:180] + ("…" if len(subject) > 180 else "")
    return mail


def build_email(note: Notification) -> EmailMessage:
    """The message in Japanese and English (we do not know which the reader prefers), with its link."""
    ja, en = message(note.kind, note.params, "ja"), message(note.kind, note.params, "en")
    # A digest's lines go in the body only; the subject stays its one summary line.
    lines_ja, lines_en = (_lines(message_items(note.kind, note.params, lang)) for lang in ("ja", "en"))
    with force_locale("ja"):
        footer_ja = str(FOOTER)
    with force_locale("en"):
        footer_en = str(FOOTER)
    mail = _envelope(note.user.email, ja if ja == en else f"{ja} / {en}")
    link = absolute_link(note.link)
    body_ja, body_en = ja + lines_ja, en + lines_en
    body = body_ja if body_ja == body_en else f"{body_ja}\n\n{body_en}"
    footer = footer_ja if footer_ja == footer_en else f"{footer_ja}\n{footer_en}"
    mail.set_content(f"{body}\n\n{link}\n\n-- \n{footer}\n")
    return mail


def _lines(items: list[tuple[str, str | None]]) -> str:
    return "".join(f"\n- {text}" + (f"\n  {absolute_link(link)}" if link else "") for text, link in items)


def build_outbox_email(row: OutboxMessage) -> EmailMessage:
    if row.notification is not None:
        return build_email(row.notification)
    mail = _envelope(row.to_address, row.subject or "")
    mail.set_content(row.body or "")
    return mail


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                        timeout=float(config.get("MAIL_TIMEOUT_SECONDS") or 10))
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


@dataclass
class DeliveryReport:
    sent: int = 0
    logged: int = 0  # written to the log because no mail server is configured
    deferred: int = 0
    given_up: int = 0

    def __bool__(self) -> bool:
        return bool(self.sent or self.logged or self.deferred or self.given_up)


def _write(statement, attempts: int = 5) -> None:
    """One short write transaction that takes SQLite's write lock up front, retried if the lock stays busy."""
    for attempt in range(attempts):
        try:
            if db.engine.dialect.name == "sqlite":
                db.session.connection(execution_options={"sqlite_immediate": True})
            db.session.execute(statement)
            db.session.commit()
            return
        except OperationalError:
            db.session.rollback()
            if attempt == attempts - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


def claim_due(limit: int, moment: datetime) -> list[int]:
    """Take up to ``limit`` due messages for this worker (oldest first) and return their ids."""
    if db.engine.dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_immediate": True})
    query = (select(OutboxMessage.id)
             .where(OutboxMessage.sent_at.is_(None), OutboxMessage.given_up_at.is_(None),
                    OutboxMessage.next_attempt_at <= moment,
                    or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment))
             .order_by(OutboxMessage.id).limit(limit))
    if db.engine.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(query))
    if ids:
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(
            claimed_until=moment + timedelta(seconds=CLAIM_SECONDS), attempts=OutboxMessage.attempts + 1))
    db.session.commit()
    return ids


def _backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _mark_sent(row_id: int, notification_id: Optional[int], moment: datetime) -> None:
    _write(update(OutboxMessage).where(OutboxMessage.id == row_id).values(
        sent_at=moment, claimed_until=None, last_error=None))
    if notification_id is not None:
        _write(update(Notification).where(Notification.id == notification_id).values(emailed_at=moment))


@dataclass(frozen=True)
class _Outgoing:
    """What sending needs, read before the slow part so no transaction stays open across SMTP."""

    id: int
    notification_id: Optional[int]
    attempts: int
    created_at: datetime
    mail: EmailMessage


def _release(item: _Outgoing, error: str, moment: datetime, give_up: bool) -> None:
    config = current_app.config
    too_old = item.created_at < moment - timedelta(days=int(config.get("MAIL_RETRY_DAYS") or 7))
    give_up = give_up or too_old or item.attempts >= int(config.get("MAIL_MAX_ATTEMPTS") or 8)
    values = {"claimed_until": None, "last_error": error[:300]}
    if give_up:
        values["given_up_at"] = moment
    else:
        values["next_attempt_at"] = moment + _backoff(item.attempts)
    _write(update(OutboxMessage).where(OutboxMessage.id == item.id).values(**values))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _load(ids: list[int]) -> list[_Outgoing]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))
                              .options(selectinload(OutboxMessage.notification).selectinload(Notification.user))
                              .order_by(OutboxMessage.id)).all()
    items = [_Outgoing(row.id, row.notification_id, row.attempts, _aware(row.created_at), build_outbox_email(row))
             for row in rows]
    db.session.rollback()  # end the read transaction: each mark below is a write transaction of its own
    return items


def _end_read_transaction() -> None:
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("deliver_outbox needs a session without unsaved changes: commit them first")
    db.session.rollback()


def deliver_outbox(limit: int = 50, moment: Optional[datetime] = None) -> DeliveryReport:
    """Send the due messages of the outbox once; returns what happened to them."""
    moment = moment or clock_now()
    report = DeliveryReport()
    _end_read_transaction()
    ids = claim_due(limit, moment)
    if not ids:
        return report
    items = _load(ids)
    if not mail_enabled():
        for item in items:
            if item.notification_id is not None:
                _release(item, "email is off (MAIL_SERVER is empty)", moment, give_up=True)
                report.given_up += 1
                continue
            current_app.logger.warning("mail: MAIL_SERVER is empty, so this email is written here instead of "
                                       "being sent:\nTo: %s\nSubject: %s\n\n%s", item.mail["To"],
                                       item.mail["Subject"], item.mail.get_content())
            _mark_sent(item.id, None, moment)
            report.logged += 1
        return report
    try:
        smtp = _connect()
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail: cannot reach %s: %s", current_app.config["MAIL_SERVER"], error)
        for item in items:
            _release(item, f"cannot reach the mail server: {error}", moment, give_up=False)
            report.deferred += 1
        return report
    pending = list(items)
    try:
        while pending:
            item = pending[0]
            try:
                smtp.send_message(item.mail)
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as error:
                pending.pop(0)
                current_app.logger.warning("mail: message %s not accepted: %s", item.id, error)
                permanent = isinstance(error, smtplib.SMTPRecipientsRefused) or getattr(error, "smtp_code", 0) >= 500
                _release(item, f"not accepted: {error}", moment, give_up=permanent)
                if permanent:
                    report.given_up += 1
                else:
                    report.deferred += 1
                continue
            pending.pop(0)
            _mark_sent(item.id, item.notification_id, moment)
            report.sent += 1
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.warning("mail: sending failed after %d message(s): %s", report.sent, error)
        for item in pending:
            _release(item, f"sending failed: {error}", moment, give_up=False)
            report.deferred += 1
    finally:
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()
    return report
