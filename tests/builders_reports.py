"""Builders for shoot reports and production shoots; they add and flush, and remember what they made
so ``remove_made`` can delete it again (the test database is shared by the whole session)."""
from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from sqlalchemy import delete, select

from locations.cases.models import Production, Shoot
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission, Municipality, Prefecture
from locations.reports.models import ShootReport

_serial = count(1)
TITLE_PREFIX = "試験報告"


def commission(slug: str) -> FilmCommission:
    return db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))


def prefecture(code: str) -> Prefecture:
    return db.session.scalar(select(Prefecture).where(Prefecture.code == code))


def municipality(name_ja: str, prefecture_code: str) -> Municipality:
    return db.session.scalar(select(Municipality).join(Prefecture).where(
        Municipality.name_ja == name_ja, Prefecture.code == prefecture_code))


def make_report(fc: FilmCommission, first_day: date, shoot_days: int = 1, days_span: int | None = None,
                **overrides) -> ShootReport:
    """A report of ``fc`` for a shoot starting ``first_day``; spend defaults to zero in every category."""
    span = days_span if days_span is not None else shoot_days
    values = dict(
        commission_id=fc.id, production_title=f"{TITLE_PREFIX}{next(_serial)}", production_type="feature_film",
        origin="domestic", prefecture_id=fc.prefecture_id, municipality_id=fc.municipality_id,
        first_day=first_day, last_day=first_day + timedelta(days=span - 1), shoot_days=shoot_days, crew_size=10,
    )
    values.update(overrides)
    report = ShootReport(**values)
    db.session.add(report)
    db.session.flush()
    return report


def make_production(owner_id: int, title: str = "試験制作") -> Production:
    production = Production(owner_id=owner_id, title=f"{TITLE_PREFIX}{title}", company="試験", contact_name="試験",
                            contact_email="producer@example.com", calendar_token=f"test-reports-{next(_serial)}")
    db.session.add(production)
    db.session.flush()
    return production


def make_shoot(production: Production, town: Municipality, start: date, end: date) -> Shoot:
    shoot = Shoot(production_id=production.id, name=f"{TITLE_PREFIX}shoot", lat=town.office_lat, lon=town.office_lon,
                  prefecture_id=town.prefecture_id, municipality_id=town.id, start_date=start, end_date=end)
    db.session.add(shoot)
    db.session.flush()
    return shoot


def remove_made() -> None:
    """Delete the reports, productions (with their shoots) and audit events these builders' rows left."""
    ids = list(db.session.scalars(select(ShootReport.id).where(ShootReport.production_title.like(f"{TITLE_PREFIX}%"))))
    db.session.execute(delete(ShootReport).where(ShootReport.id.in_(ids)))
    if ids:
        db.session.execute(delete(AuditEvent).where(AuditEvent.entity_type == "shoot_report",
                                                    AuditEvent.entity_id.in_(ids)))
    for production in db.session.scalars(select(Production).where(Production.title.like(f"{TITLE_PREFIX}%"))):
        db.session.delete(production)
    db.session.flush()
