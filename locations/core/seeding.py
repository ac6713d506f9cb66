"""The seeding base: read sourced CSV files, check each row and upsert by natural key, reporting what changed.

Every file is validated before anything is written; the first bad row stops the load with its file,
line and reason, and the caller rolls back. Loaders add and flush; the command commits once.
"""
from __future__ import annotations

import csv
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy import select

from .extensions import db

JAPAN_BOUNDS = (20.0, 46.0, 122.0, 154.0)  # lat_min, lat_max, lon_min, lon_max (incl. outlying islands)


class SeedError(Exception):
    def __init__(self, path: str, line: int, reason: str):
        super().__init__(f"{os.path.basename(path)}, line {line}: {reason}")
        self.path, self.line, self.reason = path, line, reason


@dataclass
class SeedReport:
    """Per table: rows created, updated and unchanged."""

    counts: dict[str, Counter] = field(default_factory=dict)

    def tally(self, table: str, outcome: str) -> None:
        self.counts.setdefault(table, Counter())[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{table}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for table, c in self.counts.items()
        ]


def read_csv(path: str, encoding: str = "utf-8") -> Iterator[tuple[int, dict[str, str]]]:
    """Rows with the line number each record starts on (records may span lines)."""
    with open(path, newline="", encoding=encoding) as handle:
        reader = csv.DictReader(handle)
        line = 2
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise SeedError(path, line, "wrong number of columns")
            yield line, {k: v.strip() for k, v in row.items()}
            line = reader.line_num + 1


class Loader:
    def __init__(self, seeds_dir: str):
        self.dir = seeds_dir
        self.report = SeedReport()

    def path(self, name: str) -> str:
        return os.path.join(self.dir, name)

    def upsert(self, model, key: Any, values: dict[str, Any], existing: dict) -> Any:
        """Create or update the row whose natural key is ``key``; tally what happened."""
        obj = existing.get(key)
        table = model.__tablename__
        if obj is None:
            obj = model(**values)
            db.session.add(obj)
            existing[key] = obj
            self.report.tally(table, "created")
            return obj
        changed = False
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
        self.report.tally(table, "updated" if changed else "unchanged")
        return obj

    @staticmethod
    def existing(model, key: str, *options) -> dict:
        """Every row of ``model`` by its natural key; ``options`` load the relationships ``upsert`` compares in
        the same few statements (one lazy load per row made `flask seed` spend 6 of its 13 s on them)."""
        return {getattr(o, key): o for o in db.session.scalars(select(model).options(*options))}

    @staticmethod
    def required(path: str, line: int, row: dict, *names: str) -> None:
        for name in names:
            if not row.get(name):
                raise SeedError(path, line, f"'{name}' is empty")

    @staticmethod
    def coordinate(path: str, line: int, lat: str, lon: str) -> tuple[float, float]:
        try:
            lat_f, lon_f = float(lat), float(lon)
        except ValueError:
            raise SeedError(path, line, f"coordinates are not numbers: {lat!r}, {lon!r}") from None
        lat_min, lat_max, lon_min, lon_max = JAPAN_BOUNDS
        if not (lat_min <= lat_f <= lat_max and lon_min <= lon_f <= lon_max):
            raise SeedError(path, line, f"coordinates {lat_f}, {lon_f} are outside Japan")
        return lat_f, lon_f

    @staticmethod
    def flag(path: str, line: int, value: str, name: str) -> bool:
        if value not in ("0", "1"):
            raise SeedError(path, line, f"'{name}' must be 0 or 1, not {value!r}")
        return value == "1"


def slugify(name_en: str) -> str:
    """URL slug from an English name, without its parenthesised note."""
    base = re.sub(r"\(.*?\)", "", name_en)
    return re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-")
