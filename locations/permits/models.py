"""What a shoot needs: activities, permit types, the authorities that grant them, the guideline flow."""
from __future__ import annotations

from typing import Optional

from sqlalchemy import Boolean, Column, Float, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.extensions import db
from ..directory.models import Municipality, Prefecture

authority_prefecture = Table(
    "authority_prefecture",
    db.metadata,
    Column("authority_id", ForeignKey("permit_authority.id", ondelete="CASCADE"), primary_key=True),
    Column("prefecture_id", ForeignKey("prefecture.id", ondelete="CASCADE"), primary_key=True),
)


# The municipalities an authority serves, when its jurisdiction is a list of them (a police station's area, a
# fire union of several towns).
authority_municipality = Table(
    "authority_municipality",
    db.metadata,
    Column("authority_id", ForeignKey("permit_authority.id", ondelete="CASCADE"), primary_key=True),
    Column("municipality_id", ForeignKey("municipality.id", ondelete="CASCADE"), primary_key=True),
)


class AuthorityKind(db.Model):
    """A kind of permit authority (police station, park administrator, …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)


class Activity(db.Model):
    """Something a shoot does that can require a permit (drone, road closure, …)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    description_ja: Mapped[Optional[str]] = mapped_column(Text)
    description_en: Mapped[Optional[str]] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)

    permit_links: Mapped[list[ActivityPermit]] = relationship(
        back_populates="activity", cascade="all, delete-orphan"
    )


class PermitType(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    authority_kind_id: Mapped[int] = mapped_column(ForeignKey("authority_kind.id"), index=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    lead_business_days: Mapped[int] = mapped_column(Integer)
    triggers_en: Mapped[str] = mapped_column(Text)
    documents_ja: Mapped[str] = mapped_column(Text)  # "; "-separated list, as researched
    source: Mapped[str] = mapped_column(Text)
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)

    authority_kind: Mapped[AuthorityKind] = relationship()
    activity_links: Mapped[list[ActivityPermit]] = relationship(
        back_populates="permit_type", cascade="all, delete-orphan"
    )

    @property
    def documents(self) -> list[str]:
        return [d.strip() for d in self.documents_ja.split(";") if d.strip()]


class ActivityPermit(db.Model):
    """An activity may trigger a permit type, sometimes only under a condition."""

    __table_args__ = (UniqueConstraint("activity_id", "permit_type_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(ForeignKey("activity.id", ondelete="CASCADE"), index=True)
    permit_type_id: Mapped[int] = mapped_column(
        ForeignKey("permit_type.id", ondelete="CASCADE"), index=True
    )
    condition_ja: Mapped[Optional[str]] = mapped_column(String(300))
    condition_en: Mapped[Optional[str]] = mapped_column(String(300))
    # When the condition applies, as answers to questions: "a=yes|b>=40&c=no" (| or, & and); see engine.
    rule: Mapped[Optional[str]] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(Text)

    activity: Mapped[Activity] = relationship(back_populates="permit_links")
    permit_type: Mapped[PermitType] = relationship(back_populates="activity_links")


class PermitQuestion(db.Model):
    """A plain question that decides whether a conditional permit applies (yes/no, or a number)."""

    KINDS = ("yes_no", "number")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    text_ja: Mapped[str] = mapped_column(String(300))
    text_en: Mapped[str] = mapped_column(String(300))
    unit: Mapped[Optional[str]] = mapped_column(String(10))
    # A spatial fact that can answer it (did, airport, national_park, cultural); empty: only the producer can.
    answered_by: Mapped[Optional[str]] = mapped_column(String(40))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str] = mapped_column(Text)


class PermitAuthority(db.Model):
    """An office that grants or receives a permit. Its jurisdiction is a list of municipalities, the whole of
    its prefectures, or not known; candidates (e.g. from OpenStreetMap) are offices not yet confirmed.
    ``layer`` says where the record comes from: the sourced seed, the OpenStreetMap candidates, or "app" once an
    admin or the office's officer has edited it (a later seed run then leaves it alone)."""

    JURISDICTIONS = ("unknown", "municipalities", "prefecture")
    LAYERS = ("seed", "osm", "app")

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    kind_id: Mapped[int] = mapped_column(ForeignKey("authority_kind.id"), index=True)
    name_ja: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[Optional[str]] = mapped_column(String(200))
    municipality_id: Mapped[Optional[int]] = mapped_column(ForeignKey("municipality.id"), index=True)
    address: Mapped[Optional[str]] = mapped_column(String(300))
    lat: Mapped[Optional[float]] = mapped_column(Float)
    lon: Mapped[Optional[float]] = mapped_column(Float)
    phone: Mapped[Optional[str]] = mapped_column(String(40))
    email: Mapped[Optional[str]] = mapped_column(String(200))
    website: Mapped[Optional[str]] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(Text)
    coords_are_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
    jurisdiction: Mapped[str] = mapped_column(String(20), default="unknown", server_default="unknown")
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("permit_authority.id", ondelete="SET NULL"),
                                                     index=True)
    takes_applications: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    is_candidate: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    layer: Mapped[str] = mapped_column(String(10), default="seed", server_default="seed", index=True)
    # How to apply, in the office's words (opening hours, which section, whether to phone first).
    contact_note: Mapped[Optional[str]] = mapped_column(String(500))
    # Optimistic locking: an edit made from an old page is refused instead of overwriting (permits/offices.py).
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    kind: Mapped[AuthorityKind] = relationship()
    municipality: Mapped[Optional[Municipality]] = relationship()
    prefectures: Mapped[list[Prefecture]] = relationship(
        secondary=authority_prefecture, order_by="Prefecture.code"
    )
    served: Mapped[list[Municipality]] = relationship(secondary=authority_municipality, order_by="Municipality.code")
    parent: Mapped[Optional[PermitAuthority]] = relationship(remote_side=[id])


class GuidelineStep(db.Model):
    """One actor's part in one phase of the guideline's general flow of a location shoot."""

    __table_args__ = (UniqueConstraint("phase", "actor"),)

    ACTORS = ("producer", "fc", "authority")

    id: Mapped[int] = mapped_column(primary_key=True)
    phase: Mapped[str] = mapped_column(String(40))
    phase_order: Mapped[int] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(20))
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ja: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    # False where the flow shows no task for this actor at this phase.
    has_role: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(Text)
    is_estimate: Mapped[bool] = mapped_column(Boolean, default=False)
