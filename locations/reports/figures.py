"""Effect verification: what recorded shoots brought to each area, summed from the ShootReport rows.

A report belongs to the calendar year of its first shooting day. The figures are exact sums of what the
FCs entered, except that a figure resting on fewer than three productions is withheld, and so is any
figure that would let a withheld one be worked out by subtraction (report_cells and disclosure).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from sqlalchemy import select

from ..core import audit
from ..core.clock import today_jst
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.models import FilmCommission, Prefecture, RegionalBlock
from .cells import MIN_PRODUCTIONS, CellKey, Published, published  # noqa: F401 (MIN_PRODUCTIONS: for pages)
from .models import SPEND_CATEGORIES, ShootReport

GROUPINGS = ("commission", "prefecture", "block")
MEASURES = ("days", "spend")
REPORT_FIELDS = (
    "production_title", "production_type", "origin", "origin_country", "prefecture_id", "municipality_id",
    "first_day", "last_day", "shoot_days", "crew_size", *(f"spend_{c}_jpy" for c in SPEND_CATEGORIES),
    "spend_is_estimate", "notes",
)


@dataclass(frozen=True)
class Selection:
    """Which reports to sum (``year`` None: all years) and what to group them by."""

    year: Optional[int] = None
    group: str = "commission"


@dataclass
class Figures:
    """Sums over a set of reports; ``key``/names identify the group (empty for the totals row).

    ``hidden`` says why the figures are withheld ("few": fewer than MIN_PRODUCTIONS productions;
    "protects": showing them would reveal a withheld figure); the numbers are then all 0."""

    key: str = ""
    name_ja: str = ""
    name_en: str = ""
    reports: int = 0
    shoot_days: int = 0
    crew_days: int = 0
    spend: dict[str, int] = field(default_factory=lambda: {c: 0 for c in SPEND_CATEGORIES})
    estimates: int = 0  # how many of the reports give estimated spend
    hidden: Optional[str] = None

    @property
    def total_spend(self) -> int:
        return sum(self.spend.values())


def _figures(cells: Published, cell: CellKey, **names: str) -> Figures:
    reason = cells.reason(cell)
    sums = cells.sums.get(cell)
    if reason is not None or sums is None:
        return Figures(hidden=reason, **names)
    return Figures(reports=sums.reports, shoot_days=sums.shoot_days, crew_days=sums.crew_days,
                   spend=dict(sums.spend), estimates=sums.estimates, **names)


def _groups(group: str, ids: list[int]) -> list[tuple[int, str, str, str]]:
    """(id, key, name_ja, name_en) of the groups with these ids, in the order the tables list them."""
    if group == "commission":
        model, key, order = FilmCommission, FilmCommission.slug, FilmCommission.name_ja
    elif group == "prefecture":
        model, key, order = Prefecture, Prefecture.code, Prefecture.code
    elif group == "block":
        model, key, order = RegionalBlock, RegionalBlock.code, RegionalBlock.sort_order
    else:
        raise ValueError(f"unknown grouping {group!r}")
    return [tuple(row) for row in db.session.execute(
        select(model.id, key, model.name_ja, model.name_en).where(model.id.in_(ids)).order_by(order, model.id))]


def summary(selection: Selection) -> tuple[list[Figures], Figures]:
    """One row per group that has reports in the selection, and the totals over all of them."""
    cells = published()
    ids = [key for (level, key, year) in cells.sums if level == selection.group and year == selection.year]
    rows = [_figures(cells, (selection.group, group_id, selection.year), key=key, name_ja=name_ja, name_en=name_en)
            for group_id, key, name_ja, name_en in _groups(selection.group, ids)]
    return rows, _figures(cells, ("total", None, selection.year))


def years() -> list[int]:
    """The years that have reports, oldest first."""
    return list(published().years)


def by_year() -> list[tuple[int, Figures]]:
    """Figures per year over all reports, oldest first (for the yearly chart)."""
    cells = published()
    return [(year, _figures(cells, ("total", None, year))) for year in cells.years]


def measure_value(figures: Figures, measure: str) -> int:
    if measure == "days":
        return figures.shoot_days
    if measure == "spend":
        return figures.total_spend
    raise ValueError(f"unknown measure {measure!r}")


def prefecture_values(year: Optional[int], measure: str) -> dict[str, Optional[int]]:
    """Exactly one value per prefecture (code → shoot days or yen): 0 where nothing was recorded,
    None where the figure is withheld."""
    cells = published()
    values = {}
    for prefecture_id, code in db.session.execute(select(Prefecture.id, Prefecture.code).order_by(Prefecture.code)):
        figures = _figures(cells, ("prefecture", prefecture_id, year))
        values[code] = None if figures.hidden else measure_value(figures, measure)
    return values


def commission_figures(year: Optional[int]) -> dict[int, Figures]:
    """Figures per commission id, for commissions with reports in ``year`` (None: all years)."""
    cells = published()
    return {key: _figures(cells, (level, key, y)) for (level, key, y) in cells.sums
            if level == "commission" and y == year}


def block_figures(block_id: int, year: Optional[int]) -> Figures:
    """Figures for the reports of shoots in the block's prefectures."""
    return _figures(published(), ("block", block_id, year))


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


def commission_report_figures() -> dict:
    """For directory pages: each commission's figures this year (in Japan) and over all years."""
    year = today_jst().year
    return {"year": year, "this_year": commission_figures(year), "all_years": commission_figures(None)}


def block_report_figures(block_id: int) -> dict:
    year = today_jst().year
    return {"year": year, "this_year": block_figures(block_id, year), "all_years": block_figures(block_id, None)}
