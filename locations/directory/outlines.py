"""Municipal outlines for the maps' offline base: the seeded N03 polygons (seeds/municipality_boundaries.geojson),
read once per process and handed out for the visible box, so a map without tiles still shows towns and coasts."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import select

from ..core.extensions import db
from .models import Municipality

OUTLINES_FILE = "municipality_boundaries.geojson"
# A box wider than this (degrees of longitude) gets no municipal outlines: at that scale they are noise,
# and the prefectures carry the map.
MAX_BOX_WIDTH = 6.0


@dataclass(frozen=True)
class Outline:
    code: str
    name_ja: str
    box: tuple[float, float, float, float]  # west, south, east, north
    geometry: dict


def _box(coordinates) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(part):
        if part and isinstance(part[0], (int, float)):
            xs.append(part[0])
            ys.append(part[1])
        else:
            for inner in part:
                walk(inner)

    walk(coordinates)
    return min(xs), min(ys), max(xs), max(ys)


@lru_cache(maxsize=4)
def load_outlines(seeds_dir: str) -> tuple[Outline, ...]:
    path = os.path.join(seeds_dir, OUTLINES_FILE)
    if not os.path.exists(path):
        return ()
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    return tuple(Outline(f["properties"]["code"], f["properties"]["name_ja"], _box(f["geometry"]["coordinates"]),
                         f["geometry"]) for f in data["features"])


def outlines_geojson(seeds_dir: str, bbox: tuple[float, float, float, float]) -> dict:
    """The municipalities whose outline meets ``bbox``, with their Japanese and romanised names."""
    west, south, east, north = bbox
    if east - west > MAX_BOX_WIDTH:
        return {"type": "FeatureCollection", "features": [], "too_wide": True}
    found = [o for o in load_outlines(seeds_dir)
             if o.box[0] <= east and o.box[2] >= west and o.box[1] <= north and o.box[3] >= south]
    codes = {o.code for o in found}
    romaji = dict(db.session.execute(select(Municipality.code, Municipality.name_romaji)
                                     .where(Municipality.code.in_(codes))).all()) if codes else {}
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": o.geometry,
         "properties": {"code": o.code, "name_ja": o.name_ja, "name_en": romaji.get(o.code) or None}}
        for o in found]}
