"""Core tables: the audit trail (append-only records of changes, sign-ins and refused access) and the
daily job runs of the worker, data version stamps and stored files."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import DateTime, Index, Integer, LargeBinary, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column

from . import clock
from .extensions import db


class AuditEvent(db.Model):
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, index=True)
    # Who, copied rather than only referenced, so the record survives renamed or removed accounts.
    user_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    actor: Mapped[Optional[str]] = mapped_column(String(254))
    role: Mapped[Optional[str]] = mapped_column(String(20))
    commission_id: Mapped[Optional[int]] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(30))  # create, update, delete, login, login_failed, denied, …
    entity_type: Mapped[Optional[str]] = mapped_column(String(40))
    entity_id: Mapped[Optional[int]] = mapped_column(Integer)
    entity_label: Mapped[Optional[str]] = mapped_column(String(200))
    changes: Mapped[Optional[str]] = mapped_column(Text)  # JSON {field: [before, after]}
    detail: Mapped[Optional[str]] = mapped_column(String(500))
    ip: Mapped[Optional[str]] = mapped_column(String(45))


@event.listens_for(AuditEvent, "before_update")
@event.listens_for(AuditEvent, "before_delete")
def _refuse_rewriting_history(mapper, connection, target):
    raise RuntimeError("audit events are never updated or deleted")


class JobRun(db.Model):
    """A daily job done for one day in Japan: the unique key stops two workers from both running it."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD in JST
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    finished_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    summary: Mapped[Optional[str]] = mapped_column(String(300))


class DataVersion(db.Model):
    """A stamp raised whenever some reference data changes (see core/versions.py)."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


class StoredFile(db.Model):
    """An uploaded file's bytes when FILE_STORAGE is "database" (see core/file_storage.py)."""

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
