"""Synthetic locations for benchmarks and load tests: clearly marked, never part of the seed."""
from __future__ import annotations

import random

from sqlalchemy import delete, func, insert, select

from ..core.clock import today_jst
from ..core.extensions import db
from ..directory.models import FilmCommission, Municipality, Prefecture
from .models import Location, LocationCategory
from .cells import rebuild_cells
from .queries import build_index_text, refresh_statistics

SYNTHETIC_SOURCE = "synthetic test data (flask --app wsgi demo-locations --seed {seed}); not a real place"
BATCH = 5000


def remove_synthetic() -> int:
    removed = db.session.execute(delete(Location).where(Location.is_synthetic.is_(True))).rowcount
    rebuild_cells()
    refresh_statistics()
    return removed or 0


def create_synthetic(count: int, seed: int = 0) -> int:
    """Add ``count`` synthetic published locations scattered around real municipality offices."""
    rng = random.Random(seed)
    categories = db.session.scalars(select(LocationCategory)).all()
    commissions = db.session.scalars(select(FilmCommission)).all()
    by_prefecture: dict[int, list[FilmCommission]] = {}
    for fc in commissions:
        by_prefecture.setdefault(fc.prefecture_id, []).append(fc)
    municipalities = db.session.scalars(select(Municipality)).all()
    prefectures = {p.id: p for p in db.session.scalars(select(Prefecture))}
    start = (db.session.scalar(select(func.count()).select_from(Location).where(Location.is_synthetic.is_(True))) or 0) + 1
    rows = []
    for n in range(start, start + count):
        town = rng.choice(municipalities)
        owners = by_prefecture.get(town.prefecture_id) or commissions
        category = rng.choice(categories)
        name_ja, name_en = f"合成ロケ地 {n}（{category.name_ja}）", f"Synthetic location {n} ({category.name_en})"
        prefecture = prefectures[town.prefecture_id]
        rows.append({
            "slug": f"synthetic-{seed}-{n}", "commission_id": rng.choice(owners).id, "name_ja": name_ja,
            "name_en": name_en, "category_id": category.id, "municipality_id": town.id,
            "prefecture_id": town.prefecture_id, "lat": town.office_lat + rng.uniform(-0.04, 0.04),
            "lon": town.office_lon + rng.uniform(-0.04, 0.04), "status": "published",
            "typical_permits": category.typical_permits, "last_verified": today_jst(),
            "source": SYNTHETIC_SOURCE.format(seed=seed), "is_synthetic": True,
            "has_parking": rng.random() < 0.6, "has_power": rng.random() < 0.3,
            "search_text": build_index_text(name_ja, name_en, None, None, None, None, category, town, prefecture),
        })
        if len(rows) >= BATCH:
            db.session.execute(insert(Location), rows)
            rows = []
    if rows:
        db.session.execute(insert(Location), rows)
    rebuild_cells()
    refresh_statistics()
    return count
