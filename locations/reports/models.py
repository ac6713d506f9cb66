"""Shoot reports: what a shoot brought to the area, as the FC recorded it (effect verification)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import clock
from ..core.extensions import db
from ..directory.models import FilmCommission, Municipality, Prefecture

SPEND_CATEGORIES = ("lodging", "catering", "transport", "local_staff", "location_fees", "other")


class ShootReport(db.Model):
    """What a shoot brought to the area, recorded by the FC afterwards (effect verification)."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id"), index=True)
    production_id: Mapped[Optional[int]] = mapped_column(ForeignKey("production.id", ondelete="SET NULL"))
    production_title: Mapped[str] = mapped_column(String(200))
    production_type: Mapped[str] = mapped_column(String(30))  # one of productions.PRODUCTION_TYPES
    origin: Mapped[str] = mapped_column(String(20))  # one of productions.ORIGINS
    origin_country: Mapped[Optional[str]] = mapped_column(String(80))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"), index=True)
    first_day: Mapped[date] = mapped_column(Date, index=True)
    last_day: Mapped[date] = mapped_column(Date)
    shoot_days: Mapped[int] = mapped_column(Integer)  # days actually shot, may be fewer than the span
    crew_size: Mapped[int] = mapped_column(Integer)
    spend_lodging_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_catering_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_transport_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_local_staff_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_location_fees_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_other_jpy: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    commission: Mapped[FilmCommission] = relationship()
    prefecture: Mapped[Prefecture] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def total_spend_jpy(self) -> int:
        return sum(getattr(self, f"spend_{c}_jpy") or 0 for c in SPEND_CATEGORIES)
