"""Email copies of notifications, sent only once the transaction that made them has committed.

New Notification rows are remembered when they are flushed and mailed after commit, so a rolled-back
change never sends mail. Sending happens in a short transaction of its own that marks ``emailed_at``;
an SMTP failure is logged, the row keeps ``emailed_at`` NULL and the daily ``reminders`` run retries it.
"""
from __future__ import annotations

import re
import smtplib
import ssl
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Iterable

from flask import Flask, current_app, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from .extensions import db
from .models import Notification, OutboxMessage
from .notifications import message

PENDING = "mail_pending_notifications"
# Unsent mail older than this is not retried: a message about last month's deadline helps nobody.
RETRY_DAYS = 7
SMTP_TIMEOUT_SECONDS = 15
FOOTER = _l("Sent by Japan Film Locations. You can read all your notifications after signing in.")


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


def queue_notification_emails(notes: Iterable[Notification]) -> list[OutboxMessage]:
    """Email copies of new notifications, when email is on (in-app notifications stay either way)."""
    if not mail_enabled():
        return []
    rows = [OutboxMessage(kind="notification", to_address=note.user.email, notification=note)
            for note in notes if note.user is not None and note.user.email]
    db.session.add_all(rows)
    return rows


def absolute_link(link: str | None) -> str:
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    return f"{base}{link or '/notifications'}"


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def build_email(note: Notification) -> EmailMessage:
    """The message in Japanese and English (we do not know which the reader prefers), with its link."""
    ja, en = message(note.kind, note.params, "ja"), message(note.kind, note.params, "en")
    with force_locale("ja"):
        footer_ja = str(FOOTER)
    with force_locale("en"):
        footer_en = str(FOOTER)
    mail = EmailMessage()
    mail["From"] = current_app.config.get("MAIL_FROM") or "noreply@localhost"
    mail["To"] = note.user.email
    subject = _one_line(ja if ja == en else f"{ja} / {en}")
    mail["Subject"] = subject[:180] + ("…" if len(subject) > 180 else "")
    link = absolute_link(note.link)
    body = ja if ja == en else f"{ja}\n\n{en}"
    footer = footer_ja if footer_ja == footer_en else f"{footer_ja}\n{footer_en}"
    mail.set_content(f"{body}\n\n{link}\n\n-- \n{footer}\n")
    return mail


def _connect() -> smtplib.SMTP:
    config = current_app.config
    smtp = smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25), timeout=SMTP_TIMEOUT_SECONDS)
    try:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_notifications(ids: Iterable[int]) -> int:
    """Email the given notifications not yet emailed; returns how many went out."""
    ids = sorted(set(ids))
    if not ids or not mail_enabled():
        return 0
    sent = 0
    # A session of its own: this runs after the caller's transaction has ended.
    with Session(db.engine) as session:
        notes = session.scalars(select(Notification).options(selectinload(Notification.user))
                                .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
                                .order_by(Notification.id)).all()
        notes = [n for n in notes if n.user.active and n.user.email]
        if not notes:
            return 0
        try:
            smtp = _connect()
        except (OSError, smtplib.SMTPException) as error:
            current_app.logger.warning("mail: cannot reach %s: %s", current_app.config["MAIL_SERVER"], error)
            return 0
        try:
            for note in notes:
                try:
                    smtp.send_message(build_email(note))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
                    current_app.logger.warning("mail: notification %s not accepted: %s", note.id, error)
                    continue
                note.emailed_at = datetime.now(timezone.utc)
                sent += 1
        except (OSError, smtplib.SMTPException) as error:
            current_app.logger.warning("mail: sending failed after %d message(s): %s", sent, error)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
        session.commit()
    return sent


def retry_unsent(now: datetime | None = None) -> int:
    """Send the recent unread notifications whose email failed (or was made while mail was down)."""
    if not mail_enabled():
        return 0
    since = (now or datetime.now(timezone.utc)) - timedelta(days=RETRY_DAYS)
    # Read in a session of its own too: an open read transaction in the app's session would, on SQLite,
    # keep a snapshot older than the rows marked sent below and make its next write fail.
    with Session(db.engine) as session:
        ids = session.scalars(select(Notification.id).where(
            Notification.emailed_at.is_(None), Notification.read_at.is_(None), Notification.created_at >= since)).all()
    return send_notifications(ids)


def _remember_new(session, flush_context) -> None:
    new_ids = [obj.id for obj in session.new if isinstance(obj, Notification)]
    if new_ids:
        session.info.setdefault(PENDING, set()).update(new_ids)


def _send_after_commit(session) -> None:
    ids = session.info.pop(PENDING, None)
    if not ids or not has_app_context():
        return
    try:
        send_notifications(ids)
    except Exception:  # noqa: BLE001 — mail must never break the request that already committed
        current_app.logger.exception("mail: unexpected failure sending notifications %s", sorted(ids))


def _forget_on_end(session, transaction) -> None:
    # Runs after after_commit for a commit, and alone for a rollback or close: rolled-back rows are dropped.
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def init_app(app: Flask) -> None:
    for name, listener in (("after_flush", _remember_new), ("after_commit", _send_after_commit),
                           ("after_transaction_end", _forget_on_end)):
        if not event.contains(AppSession, name, listener):
            event.listen(AppSession, name, listener)
