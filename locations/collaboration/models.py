"""FCs working together: inquiries with their messages and referrals, the block know-how board, and the
shortlists producers and FC staff collect locations in (shared read-only by a revocable token)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import User
from ..core import clock
from ..core.extensions import db
from ..directory.models import FilmCommission, Prefecture, RegionalBlock
from ..library.models import Location
from ..permits.models import PermitType

INQUIRY_STATUSES = ("new", "in_progress", "supported", "closed", "declined")
INQUIRY_SOURCES = ("web", "email", "phone", "in_person", "referral", "other")

inquiry_location = Table(
    "inquiry_location",
    db.metadata,
    Column("inquiry_id", ForeignKey("inquiry.id", ondelete="CASCADE"), primary_key=True),
    Column("location_id", ForeignKey("location.id", ondelete="CASCADE"), primary_key=True),
    # True: proposed by an FC; False: the producer asked about it.
    Column("proposed", Boolean, primary_key=True, default=False),
)

knowhow_permit_type = Table(
    "knowhow_permit_type",
    db.metadata,
    Column("note_id", ForeignKey("knowhow_note.id", ondelete="CASCADE"), primary_key=True),
    Column("permit_type_id", ForeignKey("permit_type.id", ondelete="CASCADE"), primary_key=True),
)

knowhow_prefecture = Table(
    "knowhow_prefecture",
    db.metadata,
    Column("note_id", ForeignKey("knowhow_note.id", ondelete="CASCADE"), primary_key=True),
    Column("prefecture_id", ForeignKey("prefecture.id", ondelete="CASCADE"), primary_key=True),
)


class Inquiry(db.Model):
    """A request for help with a shoot, held by one FC (``commission``) and copied to others."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id"), index=True)
    producer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)  # None: asked by mail/phone
    production_id: Mapped[Optional[int]] = mapped_column(ForeignKey("production.id", ondelete="SET NULL"))
    contact_name: Mapped[str] = mapped_column(String(100))
    contact_email: Mapped[str] = mapped_column(String(254))
    contact_phone: Mapped[Optional[str]] = mapped_column(String(40))
    organisation: Mapped[Optional[str]] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # what they need
    where_text: Mapped[Optional[str]] = mapped_column(String(300))
    date_from: Mapped[Optional[date]] = mapped_column(Date)
    date_to: Mapped[Optional[date]] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    source: Mapped[str] = mapped_column(String(20), default="web")
    assigned_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    commission: Mapped[FilmCommission] = relationship()
    producer: Mapped[Optional[User]] = relationship(foreign_keys=[producer_id])
    assigned_to: Mapped[Optional[User]] = relationship(foreign_keys=[assigned_to_id])
    referrals: Mapped[list[InquiryReferral]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryReferral.id"
    )
    messages: Mapped[list[InquiryMessage]] = relationship(
        back_populates="inquiry", cascade="all, delete-orphan", order_by="InquiryMessage.id"
    )
    interested_locations: Mapped[list[Location]] = relationship(
        secondary=inquiry_location,
        secondaryjoin="and_(Location.id == inquiry_location.c.location_id, inquiry_location.c.proposed == False)",  # noqa: E712
        viewonly=True,
    )
    proposed_locations: Mapped[list[Location]] = relationship(
        secondary=inquiry_location,
        secondaryjoin="and_(Location.id == inquiry_location.c.location_id, inquiry_location.c.proposed == True)",  # noqa: E712
        viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}


class InquiryReferral(db.Model):
    """An inquiry handed (``refer``: the receiving FC holds it from now on) or copied (``copy``: both hold
    it) from one FC to another; rows are never changed, so they are the referral history."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"), index=True)
    from_commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id"))
    to_commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id"), index=True)
    mode: Mapped[str] = mapped_column(String(10))  # refer | copy
    note: Mapped[Optional[str]] = mapped_column(Text)
    by_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    inquiry: Mapped[Inquiry] = relationship(back_populates="referrals")
    from_commission: Mapped[FilmCommission] = relationship(foreign_keys=[from_commission_id])
    to_commission: Mapped[FilmCommission] = relationship(foreign_keys=[to_commission_id])
    by_user: Mapped[Optional[User]] = relationship()


class InquiryMessage(db.Model):
    """A reply to the producer (``internal`` False) or a note among FC staff (True)."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    commission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("film_commission.id"))  # None: the producer
    body: Mapped[str] = mapped_column(Text)
    internal: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)

    inquiry: Mapped[Inquiry] = relationship(back_populates="messages")
    author: Mapped[Optional[User]] = relationship()
    commission: Mapped[Optional[FilmCommission]] = relationship()


class KnowhowNote(db.Model):
    """A case note on a block's board: what worked with which authority, local rules, contacts."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    block_id: Mapped[int] = mapped_column(ForeignKey("regional_block.id"), index=True)
    author_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    commission_id: Mapped[Optional[int]] = mapped_column(ForeignKey("film_commission.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    shared_with_all_blocks: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    block: Mapped[RegionalBlock] = relationship()
    author: Mapped[Optional[User]] = relationship()
    commission: Mapped[Optional[FilmCommission]] = relationship()
    permit_types: Mapped[list[PermitType]] = relationship(secondary=knowhow_permit_type, order_by="PermitType.code")
    prefectures: Mapped[list[Prefecture]] = relationship(secondary=knowhow_prefecture, order_by="Prefecture.code")

    __mapper_args__ = {"version_id_col": version}


class Shortlist(db.Model):
    """A named list of library locations with notes, kept by one user (a producer, or FC staff preparing an
    answer to an inquiry). ``share_token`` set: anyone with the link reads it; cleared: the link is dead."""

    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    share_token: Mapped[Optional[str]] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)

    owner: Mapped[User] = relationship()
    items: Mapped[list[ShortlistItem]] = relationship(
        back_populates="shortlist", cascade="all, delete-orphan", order_by="ShortlistItem.position"
    )


class ShortlistItem(db.Model):
    """One location on a shortlist, with the owner's note about it."""

    __table_args__ = (UniqueConstraint("shortlist_id", "location_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    shortlist_id: Mapped[int] = mapped_column(ForeignKey("shortlist.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    note: Mapped[Optional[str]] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    shortlist: Mapped[Shortlist] = relationship(back_populates="items")
    location: Mapped[Location] = relationship()
