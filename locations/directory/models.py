"""Where things are: regional blocks, prefectures, municipalities and film commissions."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core import clock
from ..core.extensions import db


class RegionalBlock(db.Model):
    """A block of prefectures whose film commissions cooperate (JFC block seminars)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(8), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)

    prefectures: Mapped[list[Prefecture]] = relationship(
        back_populates="block", order_by="Prefecture.code"
    )


class Prefecture(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)  # JIS X 0401
    name_ja: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    block_id: Mapped[int] = mapped_column(ForeignKey("regional_block.id"), index=True)
    office_lat: Mapped[float] = mapped_column(Float)
    office_lon: Mapped[float] = mapped_column(Float)
    # GeoJSON geometry (MultiPolygon/Polygon) as text, simplified for web maps.
    boundary: Mapped[Optional[str]] = mapped_column(Text, deferred=True)
    source: Mapped[str] = mapped_column(Text)

    block: Mapped[RegionalBlock] = relationship(back_populates="prefectures")
    municipalities: Mapped[list[Municipality]] = relationship(
        back_populates="prefecture", order_by="Municipality.code"
    )
    commissions: Mapped[list[FilmCommission]] = relationship(
        back_populates="prefecture", order_by="FilmCommission.name_en"
    )


class Municipality(db.Model):
    """A city, town, village or designated-city ward, placed at its office (役所・役場)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(5), unique=True)  # 5-digit code, no check digit
    lgcode: Mapped[str] = mapped_column(String(6), unique=True)  # with check digit
    name_ja: Mapped[str] = mapped_column(String(60), index=True)
    kana: Mapped[str] = mapped_column(String(120))
    # Hepburn romanisation of the reading, without the 市/町/村/区 suffix (for English searches).
    name_romaji: Mapped[Optional[str]] = mapped_column(String(120), index=True)
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    office_lat: Mapped[float] = mapped_column(Float)
    office_lon: Mapped[float] = mapped_column(Float)
    website: Mapped[Optional[str]] = mapped_column(String(300))
    is_ward: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(Text)

    prefecture: Mapped[Prefecture] = relationship(back_populates="municipalities")


class FilmCommission(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    prefecture_id: Mapped[int] = mapped_column(ForeignKey("prefecture.id"), index=True)
    municipality_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("municipality.id"), index=True
    )
    # The area as the source states it, e.g. "燕市・三条市" for a commission of two cities.
    area_ja: Mapped[Optional[str]] = mapped_column(String(200))
    # "fc": a film commission; "prefectural_contact": the prefecture's tourism or film desk where no FC is on
    # record, named so the planner never ends in an empty "ask the FC".
    contact_kind: Mapped[str] = mapped_column(String(30), default="fc", server_default="fc")
    address: Mapped[Optional[str]] = mapped_column(String(300))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    # True when the point is the municipality office, not the commission's own office.
    coords_approximate: Mapped[bool] = mapped_column(Boolean, default=True)
    website: Mapped[Optional[str]] = mapped_column(String(300))
    website_unverified: Mapped[bool] = mapped_column(Boolean, default=False)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    email: Mapped[Optional[str]] = mapped_column(String(200))
    languages: Mapped[Optional[str]] = mapped_column(String(100))  # comma-separated ISO 639-1
    services_ja: Mapped[Optional[str]] = mapped_column(Text)
    services_en: Mapped[Optional[str]] = mapped_column(Text)
    description_ja: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=clock.now, onupdate=clock.now
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    prefecture: Mapped[Prefecture] = relationship(back_populates="commissions")
    municipality: Mapped[Optional[Municipality]] = relationship()
