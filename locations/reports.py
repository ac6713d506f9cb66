"""Effect verification: what recorded shoots brought to each area, summed in SQL from ShootReport rows.

A report belongs to the calendar year of its first shooting day. Every figure here is a SQL SUM/COUNT
over the recorded rows, so the tables, charts, CSV and map show exactly what the FCs entered.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Optional

from sqlalchemy import Integer, Select, and_, cast, extract, func, select, true

from . import audit
from .extensions import db
from .models import SPEND_CATEGORIES, FilmCommission, Prefecture, RegionalBlock, ShootReport

GROUPINGS = ("commission", "prefecture", "block")
MEASURES = ("days", "spend")
REPORT_FIELDS = (
    "production_title", "production_type", "origin", "origin_country", "prefecture_id", "municipality_id",
    "first_day", "last_day", "shoot_days", "crew_size", *(f"spend_{c}_jpy" for c in SPEND_CATEGORIES),
    "spend_is_estimate", "notes",
)


class Conflict(Exception):
    """The report changed since the editor loaded it."""


@dataclass(frozen=True)
class Selection:
    """Which reports to sum (``year`` None: all years) and what to group them by."""

    year: Optional[int] = None
    group: str = "commission"


@dataclass
class Figures:
    """Sums over a set of reports; ``key``/names identify the group (empty for the totals row)."""

    key: str = ""
    name_ja: str = ""
    name_en: str = ""
    reports: int = 0
    shoot_days: int = 0
    crew_days: int = 0
    spend: dict[str, int] = field(default_factory=lambda: {c: 0 for c in SPEND_CATEGORIES})
    estimates: int = 0  # how many of the reports give estimated spend

    @property
    def total_spend(self) -> int:
        return sum(self.spend.values())


def _spend_column(category: str):
    return getattr(ShootReport, f"spend_{category}_jpy")


def _sums() -> list:
    """The aggregate columns shared by every query, in Figures' order."""
    return [
        func.count(ShootReport.id),
        func.coalesce(func.sum(ShootReport.shoot_days), 0),
        func.coalesce(func.sum(ShootReport.shoot_days * ShootReport.crew_size), 0),
        *(func.coalesce(func.sum(_spend_column(c)), 0) for c in SPEND_CATEGORIES),
        func.coalesce(func.sum(cast(ShootReport.spend_is_estimate, Integer)), 0),
    ]


def year_condition(year: Optional[int]):
    """Reports whose first day falls in ``year`` (a range, so the first_day index serves it)."""
    if year is None:
        return true()
    return and_(ShootReport.first_day >= date(year, 1, 1), ShootReport.first_day < date(year + 1, 1, 1))


def _figures(row: Any, offset: int, **names: str) -> Figures:
    values = [int(v or 0) for v in row[offset:]]
    n = len(SPEND_CATEGORIES)
    return Figures(reports=values[0], shoot_days=values[1], crew_days=values[2],
                   spend=dict(zip(SPEND_CATEGORIES, values[3:3 + n])), estimates=values[3 + n], **names)


def _grouped(group: str) -> Select:
    if group == "commission":
        keys = [FilmCommission.slug, FilmCommission.name_ja, FilmCommission.name_en]
        query = select(*keys, *_sums()).join(FilmCommission, FilmCommission.id == ShootReport.commission_id)
        return query.group_by(*keys).order_by(FilmCommission.name_ja)
    if group == "prefecture":
        keys = [Prefecture.code, Prefecture.name_ja, Prefecture.name_en]
        query = select(*keys, *_sums()).join(Prefecture, Prefecture.id == ShootReport.prefecture_id)
        return query.group_by(*keys).order_by(Prefecture.code)
    if group == "block":
        keys = [RegionalBlock.code, RegionalBlock.name_ja, RegionalBlock.name_en, RegionalBlock.sort_order]
        query = (select(*keys[:3], *_sums()).join(Prefecture, Prefecture.id == ShootReport.prefecture_id)
                 .join(RegionalBlock, RegionalBlock.id == Prefecture.block_id))
        return query.group_by(*keys).order_by(RegionalBlock.sort_order)
    raise ValueError(f"unknown grouping {group!r}")


def summary(selection: Selection) -> tuple[list[Figures], Figures]:
    """One row per group that has reports in the selection, and the totals over all of them."""
    rows = [_figures(row, 3, key=row[0], name_ja=row[1], name_en=row[2])
            for row in db.session.execute(_grouped(selection.group).where(year_condition(selection.year)))]
    totals = _figures(db.session.execute(select(*_sums()).where(year_condition(selection.year))).one(), 0)
    return rows, totals


def years() -> list[int]:
    """The years that have reports, oldest first."""
    year = extract("year", ShootReport.first_day)
    return [int(y) for y in db.session.scalars(select(year).group_by(year).order_by(year))]


def by_year() -> list[tuple[int, Figures]]:
    """Figures per year over all reports, oldest first (for the yearly chart)."""
    year = extract("year", ShootReport.first_day)
    return [(int(row[0]), _figures(row, 1)) for row in
            db.session.execute(select(year, *_sums()).group_by(year).order_by(year))]


def measure_column(measure: str):
    if measure == "days":
        return ShootReport.shoot_days
    if measure == "spend":
        return sum((_spend_column(c) for c in SPEND_CATEGORIES[1:]), _spend_column(SPEND_CATEGORIES[0]))
    raise ValueError(f"unknown measure {measure!r}")


def prefecture_values(year: Optional[int], measure: str) -> dict[str, int]:
    """Exactly one value per prefecture (code → shoot days or yen), 0 where nothing was recorded."""
    query = (select(Prefecture.code, func.coalesce(func.sum(measure_column(measure)), 0))
             .outerjoin(ShootReport, and_(ShootReport.prefecture_id == Prefecture.id, year_condition(year)))
             .group_by(Prefecture.code).order_by(Prefecture.code))
    return {code: int(value) for code, value in db.session.execute(query)}


def commission_figures(year: Optional[int]) -> dict[int, Figures]:
    """Figures per commission id, for commissions with reports in ``year`` (None: all years)."""
    query = select(ShootReport.commission_id, *_sums()).where(year_condition(year)).group_by(ShootReport.commission_id)
    return {row[0]: _figures(row, 1) for row in db.session.execute(query)}


def block_figures(block_id: int, year: Optional[int]) -> Figures:
    """Figures for the reports of shoots in the block's prefectures."""
    query = (select(*_sums()).join(Prefecture, Prefecture.id == ShootReport.prefecture_id)
             .where(Prefecture.block_id == block_id, year_condition(year)))
    return _figures(db.session.execute(query).one(), 0)


def save_report(report: ShootReport, values: dict[str, Any], expected_version: Optional[int]) -> dict:
    """Apply ``values`` to a new or stored report and record the change in the audit trail."""
    is_new = report.id is None
    if not is_new and expected_version != report.version:
        raise Conflict()
    before = {} if is_new else audit.snapshot(report, REPORT_FIELDS)
    for name, value in values.items():
        setattr(report, name, value)
    if is_new:
        db.session.add(report)
    db.session.flush()
    changes = audit.diff(before, audit.snapshot(report, REPORT_FIELDS))
    if changes:
        audit.record("create" if is_new else "update", report, changes=changes,
                     detail=report.production_title[:200])
    return changes


def delete_report(report: ShootReport) -> None:
    audit.record("delete", report, changes={k: [v, None] for k, v in audit.snapshot(report, REPORT_FIELDS).items()},
                 detail=report.production_title[:200])
    db.session.delete(report)
