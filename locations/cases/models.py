"""Productions, their shoots and the permit case: one step per (shoot, permit type, authority)."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core import clock
from ..core.extensions import db
from ..directory.models import FilmCommission, Municipality, Prefecture
from ..library.models import Location
from ..permits.models import Activity, GuidelineStep, PermitAuthority, PermitType

PRODUCTION_TYPES = ("feature_film", "tv_drama", "tv_program", "commercial", "music_video", "documentary",
                    "streaming_series", "animation_reference", "other")
ORIGINS = ("domestic", "foreign", "co_production")

# The permit step's life: the happy path runs left to right; approved/approved_with_conditions/rejected
# are decisions, not_needed closes a step with a reason; withdrawn closes every step of a withdrawn shoot
# (its notes keep any decision on record).
STEP_STATUSES = ("not_started", "consulted", "submitted", "approved", "approved_with_conditions", "rejected",
                 "not_needed", "withdrawn")

production_commission = Table(
    "production_commission",
    db.metadata,
    Column("production_id", ForeignKey("production.id", ondelete="CASCADE"), primary_key=True),
    Column("commission_id", ForeignKey("film_commission.id", ondelete="CASCADE"), primary_key=True),
)

shoot_activity = Table(
    "shoot_activity",
    db.metadata,
    Column("shoot_id", ForeignKey("shoot.id", ondelete="CASCADE"), primary_key=True),
    Column("activity_id", ForeignKey("activity.id", ondelete="CASCADE"), primary_key=True),
)


class Production(db.Model):
    """A film, series or commercial a producer is preparing; its permit case hangs off it."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(20), default="domestic")
    origin_country: Mapped[Optional[str]] = mapped_column(String(80))
    production_type: Mapped[str] = mapped_column(String(30), default="feature_film")
    languages: Mapped[Optional[str]] = mapped_column(String(200))  # as the producer writes them, e.g. "ja, en"
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # Secret part of the private iCalendar URL; rotating it revokes old subscriptions.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    owner: Mapped[User] = relationship()
    commissions: Mapped[list[FilmCommission]] = relationship(
        secondary=production_commission, order_by="FilmCommission.name_ja"
    )
    shoots: Mapped[list[Shoot]] = relationship(
        back_populates="production", cascade="all, delete-orphan", order_by="(Shoot.start_date, Shoot.id)"
    )
    steps: Mapped[list[PermitStep]] = relationship(
        back_populates="production", cascade="all, delete-orphan",
        order_by="(PermitStep.due_date, PermitStep.id)",
    )
    checklist: Mapped[list[ChecklistTick]] = relationship(
        back_populates="production", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}


class Shoot(db.Model):
    """One scene's shooting at one place over one date range, with what it does there."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("production.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # scene or shoot label
    location_id: Mapped[Optional[int]] = mapped_column(ForeignKey("location.id", ondelete="SET NULL"), index=True)
    address: Mapped[Optional[str]] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # As Location.position_precision: "exact", or where a geocoded address landed (town, municipality, prefecture).
    position_precision: Mapped[str] = mapped_column(String(12), default="exact", server_default="exact")
    prefecture_id: Mapped[Optional[int]] = mapped_column(ForeignKey("prefecture.id"), index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date] = mapped_column(Date)
    start_time: Mapped[Optional[time]] = mapped_column(Time)
    end_time: Mapped[Optional[time]] = mapped_column(Time)
    crew_size: Mapped[Optional[int]] = mapped_column(Integer)
    notes: Mapped[Optional[str]] = mapped_column(Text)
    # The producer's answers to the planner's questions, JSON {question code: "yes" | "no" | number}.
    answers: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    # A shoot whose permit steps were under way is withdrawn, never deleted: its steps stay on record.
    withdrawn_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[Optional[str]] = mapped_column(Text)

    production: Mapped[Production] = relationship(back_populates="shoots")
    location: Mapped[Optional[Location]] = relationship()
    prefecture: Mapped[Optional[Prefecture]] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    activities: Mapped[list[Activity]] = relationship(secondary=shoot_activity, order_by="Activity.code")
    steps: Mapped[list[PermitStep]] = relationship(back_populates="shoot", passive_deletes=True)

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    @property
    def approximate(self) -> bool:
        return self.position_precision != "exact"


class PermitStep(db.Model):
    """What one authority must decide for one shoot, and how far it has got."""

    __table_args__ = (UniqueConstraint("shoot_id", "permit_type_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("production.id", ondelete="CASCADE"), index=True)
    shoot_id: Mapped[int] = mapped_column(ForeignKey("shoot.id", ondelete="CASCADE"), index=True)
    permit_type_id: Mapped[int] = mapped_column(ForeignKey("permit_type.id"), index=True)
    # None when no authority of the kind is on record: the FC is asked to find one.
    authority_id: Mapped[Optional[int]] = mapped_column(ForeignKey("permit_authority.id"), index=True)
    authority_distance_km: Mapped[Optional[float]] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(30), default="not_started", index=True)
    # What the plan says of the permit: "needed", or "to_confirm" while a question is open.
    requirement: Mapped[str] = mapped_column(String(20), default="needed", server_default="needed")
    due_date: Mapped[date] = mapped_column(Date, index=True)  # latest safe filing date
    lead_business_days: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of {"ja", "en"} from the engine
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    conditions: Mapped[Optional[str]] = mapped_column(Text)  # set by the authority with its decision
    not_needed_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    production: Mapped[Production] = relationship(back_populates="steps")
    shoot: Mapped[Shoot] = relationship(back_populates="steps")
    permit_type: Mapped[PermitType] = relationship()
    authority: Mapped[Optional[PermitAuthority]] = relationship()
    notes: Mapped[list[StepNote]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="StepNote.id"
    )
    documents: Mapped[list[StepDocument]] = relationship(
        back_populates="step", cascade="all, delete-orphan", order_by="StepDocument.id"
    )

    __mapper_args__ = {"version_id_col": version}


class StepNote(db.Model):
    """A comment on a step, or the record of a status change (with its note)."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("permit_step.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text, default="")
    from_status: Mapped[Optional[str]] = mapped_column(String(30))
    to_status: Mapped[Optional[str]] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    step: Mapped[PermitStep] = relationship(back_populates="notes")
    author: Mapped[Optional[User]] = relationship()


class StepDocument(db.Model):
    """A file attached to a step (application form, site plan, approval letter…), stored on disk."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    step_id: Mapped[int] = mapped_column(ForeignKey("permit_step.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    filename: Mapped[str] = mapped_column(String(200))  # stored name, random
    original_name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    step: Mapped[PermitStep] = relationship(back_populates="documents")
    uploaded_by: Mapped[Optional[User]] = relationship()


class ChecklistTick(db.Model):
    """A guideline cell (phase × actor) done for one production."""

    __table_args__ = (UniqueConstraint("production_id", "guideline_step_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("production.id", ondelete="CASCADE"), index=True)
    guideline_step_id: Mapped[int] = mapped_column(ForeignKey("guideline_step.id", ondelete="CASCADE"))
    ticked_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    ticked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    production: Mapped[Production] = relationship(back_populates="checklist")
    guideline_step: Mapped[GuidelineStep] = relationship()
    ticked_by: Mapped[Optional[User]] = relationship()
