"""Every figure the shoot reports publish, as cells: the total, each regional block, prefecture and film
commission, per year and over all years. Each cell is summed from the report rows and knows which
productions it comes from, so disclosure.withheld can hide what rests on fewer than MIN_PRODUCTIONS.

The cells are rebuilt only when the reports change (a cheap fingerprint query decides), so a page asks
for one aggregate row, not every report.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import BigInteger, cast, func, select

from ..core.extensions import db
from ..directory.models import Prefecture
from . import disclosure
from .models import SPEND_CATEGORIES, ShootReport

MIN_PRODUCTIONS = 3

# (level, id of the block/prefecture/commission or None for the total, year or None for all years)
CellKey = tuple[str, Optional[int], Optional[int]]


@dataclass
class Sums:
    reports: int = 0
    shoot_days: int = 0
    crew_days: int = 0
    spend: dict[str, int] = field(default_factory=lambda: {c: 0 for c in SPEND_CATEGORIES})
    estimates: int = 0
    productions: set = field(default_factory=set)


@dataclass(frozen=True)
class Published:
    sums: dict[CellKey, Sums]
    withheld: dict[CellKey, str]  # cell → disclosure.FEW or disclosure.PROTECTS
    years: tuple[int, ...]

    def reason(self, cell: CellKey) -> Optional[str]:
        """Why the cell is withheld, or None when it may be shown (a cell without reports is a plain 0)."""
        return self.withheld.get(cell)


_cache: dict[str, tuple[tuple, Published]] = {}
_lock = threading.Lock()


def published() -> Published:
    """The cells as they stand now (rebuilt when a report was added, changed or deleted)."""
    fingerprint = tuple(db.session.execute(select(
        func.count(ShootReport.id), func.max(ShootReport.id),
        func.sum(cast(ShootReport.id, BigInteger) * ShootReport.version))).one())
    key = db.engine.url.render_as_string(hide_password=True)
    cached = _cache.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    with _lock:
        result = _build()
        _cache[key] = (fingerprint, result)
    return result


def production_key(title: str) -> str:
    """A title as people retype it: full-width and case differences and spacing do not make a new production."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", title or "")).strip().casefold()


class _Productions:
    """Union-find: reports linked to one production, or carrying one title, are one production."""

    def __init__(self):
        self.parent: dict = {}

    def find(self, item):
        self.parent.setdefault(item, item)
        while self.parent[item] != item:
            self.parent[item] = self.parent[self.parent[item]]
            item = self.parent[item]
        return item

    def join(self, first, second) -> None:
        self.parent[self.find(first)] = self.find(second)


def _build() -> Published:
    spend_columns = [getattr(ShootReport, f"spend_{c}_jpy") for c in SPEND_CATEGORIES]
    rows = db.session.execute(
        select(ShootReport.first_day, ShootReport.commission_id, ShootReport.prefecture_id, Prefecture.block_id,
               ShootReport.production_id, ShootReport.production_title, ShootReport.shoot_days,
               ShootReport.crew_size, ShootReport.spend_is_estimate, *spend_columns)
        .join(Prefecture, Prefecture.id == ShootReport.prefecture_id)).all()
    productions = _Productions()
    for row in rows:
        title = ("title", production_key(row.production_title))
        if row.production_id is not None:
            productions.join(("production", row.production_id), title)
        productions.find(title)

    # Summed per (year, FC, prefecture) first, then those few atoms into every cell they belong to.
    atoms: dict[tuple, tuple[list[int], set]] = {}
    for row in rows:
        vector, who = atoms.setdefault((row.first_day.year, row.commission_id, row.prefecture_id, row.block_id),
                                       ([0] * (4 + len(SPEND_CATEGORIES)), set()))
        for n, amount in enumerate((1, row.shoot_days, row.shoot_days * row.crew_size,
                                    int(bool(row.spend_is_estimate)), *row[9:])):
            vector[n] += amount or 0
        who.add(productions.find(("title", production_key(row.production_title))))
    sums: dict[CellKey, Sums] = {}
    for (year_of, commission, prefecture, block), (vector, who) in atoms.items():
        for level, key in (("total", None), ("block", block), ("prefecture", prefecture), ("commission", commission)):
            for year in (year_of, None):
                cell = sums.setdefault((level, key, year), Sums())
                cell.reports += vector[0]
                cell.shoot_days += vector[1]
                cell.crew_days += vector[2]
                cell.estimates += vector[3]
                for category, amount in zip(SPEND_CATEGORIES, vector[4:]):
                    cell.spend[category] += amount
                cell.productions |= who
    years = tuple(sorted({row.first_day.year for row in rows}))
    contributors = {cell: frozenset(s.productions) for cell, s in sums.items()}
    withheld = disclosure.withheld(contributors, _relations(rows, years, sums), MIN_PRODUCTIONS)
    return Published(sums=sums, withheld=withheld, years=years)


def _relations(rows, years: tuple[int, ...], sums: dict[CellKey, Sums]) -> list[tuple[CellKey, list[CellKey]]]:
    """Every 'this cell is exactly the sum of those' that the published figures hold."""
    relations = []
    for year in (*years, None):
        of_year = [r for r in rows if year is None or r.first_day.year == year]
        cells = {level: sorted({k for (lv, k, y) in sums if lv == level and y == year})
                 for level in ("block", "prefecture", "commission")}
        total = ("total", None, year)
        for level, keys in cells.items():
            relations.append((total, [(level, k, year) for k in keys]))
        prefectures_of_block: dict[int, set[int]] = {}
        places_of_commission: dict[int, set[tuple[int, int]]] = {}
        for r in of_year:
            prefectures_of_block.setdefault(r.block_id, set()).add(r.prefecture_id)
            places_of_commission.setdefault(r.commission_id, set()).add((r.block_id, r.prefecture_id))
        for block, prefectures in prefectures_of_block.items():
            relations.append((("block", block, year), [("prefecture", p, year) for p in sorted(prefectures)]))
        # FCs add up to a prefecture (or block) only when every FC with reports there that year has all
        # of them there. Reports from before the own-prefecture rule may break that; that sum is left out.
        for position, level in ((1, "prefecture"), (0, "block")):
            members: dict[int, list[int]] = {}
            spread: set[int] = set()
            for commission, places in places_of_commission.items():
                where = {place[position] for place in places}
                if len(where) > 1:
                    spread |= where
                else:
                    members.setdefault(where.pop(), []).append(commission)
            for place, commissions in members.items():
                if place not in spread:
                    relations.append(((level, place, year), [("commission", c, year) for c in sorted(commissions)]))
    for (level, key, year) in list(sums):
        if year is None:
            relations.append(((level, key, None), [(level, key, y) for y in years if (level, key, y) in sums]))
    return relations
