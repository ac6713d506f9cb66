"""Likely duplicates in a commission's library, and merging two entries into one.

Film-location datasets list a place once per shoot, and open-data files overlap with what an FC entered by hand,
so the same place shows up twice: the same normalised name within RADIUS_M, or the same street address.
Merging keeps one entry: it takes the other's photos and every row of other packages that points at it (found
through the foreign keys, so this package imports none of them), fills its own empty fields from the other, and
leaves an audit entry on both. The caller commits.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..core import audit
from ..core.extensions import db
from ..directory import towns
from .models import Location
from .cells import rebuild_cells
from .queries import index_text_for, refresh_statistics

RADIUS_M = 60.0
MAX_PAIRS = 300
FILLABLE = ("name_en", "description_ja", "description_en", "tags", "address", "parking_note", "access_ja",
            "access_en", "typical_permits", "last_verified", "has_parking", "has_power", "has_toilets",
            "has_green_room", "has_wifi", "has_large_vehicles", "name_romaji")
_NOISE = re.compile(r"[\s\u3000・･()（）「」『』\[\]【】.,、。\-‐ー－_/]+")


def normalised_name(name: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", name or "")).lower().replace("ヶ", "ケ")


def normalised_address(address: Optional[str]) -> Optional[str]:
    """An address precise enough to identify a place (it has a block number), compared loosely."""
    if not address:
        return None
    text = towns.normalise(address).replace("丁目", "-").replace("番地", "-")
    text = re.sub(r"[番号の‐ー－−]", "-", text).strip("-")
    return text if re.search(r"\d", text) else None


@dataclass(frozen=True)
class Pair:
    first: Location
    second: Location
    reason: str  # "name" or "address"
    metres: float


def _metres(a: Location, b: Location) -> float:
    dy = (a.lat - b.lat) * 111_195
    dx = (a.lon - b.lon) * 111_195 * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def find_duplicates(commission_id: int, radius_m: float = RADIUS_M) -> list[Pair]:
    """Pairs of the commission's locations that are likely the same place, nearest first."""
    places = db.session.scalars(select(Location).where(Location.commission_id == commission_id)
                                .order_by(Location.id)).all()
    by_name: dict[str, list[Location]] = defaultdict(list)
    by_address: dict[str, list[Location]] = defaultdict(list)
    for place in places:
        by_name[normalised_name(place.name_ja)].append(place)
        key = normalised_address(place.address)
        if key:
            by_address[key].append(place)
    pairs: dict[tuple[int, int], Pair] = {}
    for group in by_name.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                distance = _metres(a, b)
                if distance <= radius_m:
                    pairs[(a.id, b.id)] = Pair(a, b, "name", distance)
    for group in by_address.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                pairs.setdefault((a.id, b.id), Pair(a, b, "address", _metres(a, b)))
    return sorted(pairs.values(), key=lambda p: (p.metres, p.first.id))[:MAX_PAIRS]


def _links() -> list[tuple]:
    """(table, column) of every foreign key to location.id, except photos (moved by the ORM)."""
    found = []
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == "location" and fk.column.name == "id" and table.name != "photo":
                found.append((table, fk.parent))
    return found


def merge(keep: Location, drop: Location) -> dict[str, list]:
    """Fold ``drop`` into ``keep`` (same commission) and delete it; returns the fields of keep that changed."""
    if keep.id == drop.id or keep.commission_id != drop.commission_id:
        raise ValueError("only two different locations of one commission can be merged")
    changes = {}
    for name in FILLABLE:
        if getattr(keep, name) in (None, "") and getattr(drop, name) not in (None, ""):
            changes[name] = [None, audit._plain(getattr(drop, name))]
            setattr(keep, name, getattr(drop, name))
    if keep.status != "published" and drop.status == "published":
        changes["status"] = [keep.status, "published"]
        keep.status = "published"
    first = len(keep.photos)
    for offset, photo in enumerate(list(drop.photos)):
        photo.location = keep
        photo.position = first + offset
    for table, column in _links():
        # A link both entries had (an inquiry naming both) would break a unique key: keep's stays.
        try:
            with db.session.begin_nested():
                db.session.execute(update(table).where(column == drop.id).values({column.name: keep.id}))
        except IntegrityError:
            db.session.execute(delete(table).where(column == drop.id))
    keep.search_text = index_text_for(keep)
    audit.record("merge", keep, changes=changes | {"merged_from": [drop.slug, None]}, detail=f"merged {drop.slug}")
    audit.record("merge", drop, changes={"merged_into": [None, keep.slug]}, detail=f"merged into {keep.slug}")
    db.session.flush()
    db.session.delete(drop)
    db.session.flush()
    rebuild_cells()
    refresh_statistics()
    return changes
