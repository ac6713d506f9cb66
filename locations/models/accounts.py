"""People who sign in: admins, film-commission staff, authority officers and producers."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .directory import FilmCommission, utcnow
from .permits import PermitAuthority

ROLES = ("admin", "fc_staff", "authority", "producer")


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
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    commission: Mapped[Optional[FilmCommission]] = relationship()
    authority: Mapped[Optional[PermitAuthority]] = relationship()

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"
