"""The location library: places to shoot, their categories and photos."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint,
                        and_, false)
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from ..core import clock
from ..core.extensions import db
from ..directory.models import FilmCommission, Municipality, Prefecture

FACILITIES = ("parking", "power", "toilets", "green_room", "wifi", "large_vehicles")


class LocationCategory(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    # Permit type codes such places usually need, "; "-separated (a starting point, not a rule).
    typical_permits: Mapped[Optional[str]] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)


class Location(db.Model):
    __table_args__ = (
        Index("ix_location_lat_lon", "lat", "lon"),
        Index("ix_location_status_prefecture", "status", "prefecture_id"),
        # Ids are never reused, so the audit trail of a deleted location never attaches to a new one.
        {"sqlite_autoincrement": True},
    )

    STATUSES = ("draft", "published")
    PRECISIONS = ("exact", "town", "municipality", "prefecture")
    # A deleted location keeps its row for editing.UNDO_DAYS (status "deleted", hidden everywhere but the FC's
    # "recently deleted" list), so a slip of the finger can be undone; the daily job purges it afterwards.
    DELETED = "deleted"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id"), index=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    description_ja: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    category_id: Mapped[int] = mapped_column(ForeignKey("location_category.id"), index=True)
    tags: Mapped[Optional[str]] = mapped_column(String(300))  # comma-separated
    address: Mapped[Optional[str]] = mapped_column(String(300))
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"), index=True)
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # Facilities: True/False when known, None when the source does not say.
    has_parking: Mapped[Optional[bool]] = mapped_column(Boolean)
    has_power: Mapped[Optional[bool]] = mapped_column(Boolean)
    has_toilets: Mapped[Optional[bool]] = mapped_column(Boolean)
    has_green_room: Mapped[Optional[bool]] = mapped_column(Boolean)
    has_wifi: Mapped[Optional[bool]] = mapped_column(Boolean)
    has_large_vehicles: Mapped[Optional[bool]] = mapped_column(Boolean)
    parking_note: Mapped[Optional[str]] = mapped_column(String(300))
    access_ja: Mapped[Optional[str]] = mapped_column(Text)
    access_en: Mapped[Optional[str]] = mapped_column(Text)
    typical_permits: Mapped[Optional[str]] = mapped_column(String(300))  # "; "-separated codes
    status: Mapped[str] = mapped_column(String(10), default="draft")
    last_verified: Mapped[Optional[date]] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    # Where an imported row came from: "<dataset>:<the source's own id>" or a hash of its normalised name and
    # position, so re-importing the file in any order finds the same row.
    source_ref: Mapped[Optional[str]] = mapped_column(String(200), index=True)
    # Hepburn romaji of the name (from the file's kana when it has one), indexed for search ("Ritsurin").
    name_romaji: Mapped[Optional[str]] = mapped_column(String(300))
    # How precise lat/lon is: exact (given), town (町丁目 point), municipality or prefecture (geocoded).
    position_precision: Mapped[str] = mapped_column(String(12), default="exact", server_default="exact")
    # Why an FC should look at this row again, e.g. the address names another municipality than the point.
    review_note: Mapped[Optional[str]] = mapped_column(String(300))
    is_synthetic: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by the freshness check when a listing has gone unverified for too long; producers don't see it.
    hidden_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Optimistic locking: an edit based on an old version is refused instead of overwriting.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    # Normalised text the full-text index is built from (see search.index_text).
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True), index=True)
    status_before_delete: Mapped[Optional[str]] = mapped_column(String(10))  # what undo restores

    commission: Mapped[FilmCommission] = relationship()
    category: Mapped[LocationCategory] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    prefecture: Mapped[Prefecture] = relationship()
    # Every photo row, deleted ones included: the ORM cascade and the purge go through this one.
    all_photos: Mapped[list[Photo]] = relationship(
        back_populates="location", order_by="Photo.position", cascade="all, delete-orphan"
    )
    # The photos shown: those not deleted (a deleted photo waits for undo or the purge).
    photos: Mapped[list[Photo]] = relationship(
        primaryjoin=lambda: and_(foreign(Photo.location_id) == Location.id, Photo.deleted_at.is_(None)),
        order_by="Photo.position", viewonly=True,
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def approximate(self) -> bool:
        return self.position_precision != "exact"

    def facility(self, name: str) -> Optional[bool]:
        return getattr(self, f"has_{name}")

    @property
    def permit_codes(self) -> list[str]:
        return [c.strip() for c in (self.typical_permits or "").split(";") if c.strip()]


class Photo(db.Model):
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(100), unique=True)  # stored name, never the upload's
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    caption_ja: Mapped[Optional[str]] = mapped_column(String(300))
    caption_en: Mapped[Optional[str]] = mapped_column(String(300))
    credit: Mapped[Optional[str]] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    deleted_at: Mapped[Optional[datetime]] = mapped_column(DateTime(timezone=True))

    location: Mapped[Location] = relationship(back_populates="all_photos")


class LocationCell(db.Model):
    """Published locations counted per map grid cell and zoom, so zoomed-out maps need no scan."""

    zoom: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
    sum_lat: Mapped[float] = mapped_column(Float)
    sum_lon: Mapped[float] = mapped_column(Float)


class ImportMapping(db.Model):
    """A column mapping an FC saved for its own files (the JSON the CLI's --mapping FILE.json takes)."""

    __table_args__ = (UniqueConstraint("commission_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    commission_id: Mapped[int] = mapped_column(ForeignKey("film_commission.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    mapping: Mapped[str] = mapped_column(Text)  # JSON: {"columns": {...}, "defaults": {...}, "categories": {...}}
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)


CONTACT_FIELDS = ("name", "organisation", "phone", "email", "note")


class LocationContact(db.Model):
    """Who owns or manages a place and how to reach them: the owning FC's own record. Producers see only
    the fields the FC chose to share (``share_<field>``); every change is in the audit trail."""

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("location.id", ondelete="CASCADE"), unique=True)
    name: Mapped[Optional[str]] = mapped_column(String(200))
    organisation: Mapped[Optional[str]] = mapped_column(String(200))
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    email: Mapped[Optional[str]] = mapped_column(String(254))
    note: Mapped[Optional[str]] = mapped_column(Text)
    share_name: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_organisation: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_phone: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_email: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    share_note: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now, onupdate=clock.now)

    location: Mapped[Location] = relationship()

    def shared(self) -> dict[str, str]:
        """The fields a producer may see, with their values."""
        return {f: getattr(self, f) for f in CONTACT_FIELDS if getattr(self, f"share_{f}") and getattr(self, f)}
