"""Per-account sign-in throttle in the database: a short lockout after repeated failures, growing each time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Optional

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..core import clock
from ..core.clock import as_utc
from ..core.extensions import db
from .models import LoginThrottle

MAX_LOCKOUT = timedelta(days=1)
# Rows of addresses nobody has tried for this long are dropped (unknown addresses included).
FORGET_AFTER = timedelta(days=2)


@dataclass
class Failure:
    locked_until: Optional[datetime]  # set when this failure started a lockout
    lockouts: int


def locked_until(email: str, now: Optional[datetime] = None) -> Optional[datetime]:
    """When the lockout of ``email`` ends, or None when sign-in may be tried."""
    now = now or clock.now()
    until = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.email == email))
    until = as_utc(until)
    return until if until is not None and until > now else None


def _locked_row(email: str) -> LoginThrottle:
    """The email's row, created if missing, locked against concurrent updates by other workers."""
    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(LoginThrottle).values(email=email, failures=0, lockouts=0, last_failure_at=clock.now())
                       .on_conflict_do_nothing(index_elements=["email"]))
    return db.session.scalars(select(LoginThrottle).where(LoginThrottle.email == email)
                              .with_for_update().execution_options(populate_existing=True)).one()


def record_failure(email: str, now: Optional[datetime] = None) -> Failure:
    """Count a failed password or code for ``email``; the failure that reaches the limit locks it."""
    now = now or clock.now()
    config = current_app.config
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER,
                                                   LoginThrottle.email != email))
    row = _locked_row(email)
    last = as_utc(row.last_failure_at)
    if last is not None and last < now - timedelta(minutes=config["LOGIN_FAILURE_WINDOW_MINUTES"]):
        row.failures = 0
    ended = as_utc(row.locked_until)
    if ended is not None and ended < now - MAX_LOCKOUT:
        row.lockouts = 0  # a quiet day since the last lockout starts the growth again
    row.failures += 1
    row.last_failure_at = now
    if row.failures < config["LOGIN_LOCKOUT_FAILURES"]:
        return Failure(locked_until=None, lockouts=row.lockouts)
    row.failures = 0
    row.lockouts += 1
    length = timedelta(minutes=config["LOGIN_LOCKOUT_MINUTES"]) * (2 ** min(row.lockouts - 1, 10))
    row.locked_until = now + min(length, MAX_LOCKOUT)
    return Failure(locked_until=row.locked_until, lockouts=row.lockouts)


def clear(email: str) -> None:
    """A complete sign-in (or a password reset, or an admin's enable) forgets the failures."""
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.email == email))
