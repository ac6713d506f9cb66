"""Where an imported row is: its municipality and prefecture from the boundary polygons, checked against its address.

The polygons are simplified, so near a boundary (or on an island the simplification dropped) a point can fall in
the neighbour or in the sea. When the row's address names a municipality whose polygon lies within
AGREE_KM of the point, the address decides; when it names one farther away, the polygon decides and the row is
flagged for review. A point in no polygon, near none and not confirmed by its address is not in Japan.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Optional

import shapely
from sqlalchemy import select

from ..core.extensions import db
from ..directory import geo
from ..directory.boundaries import boundaries
from ..directory.models import Municipality, Prefecture
from ..directory.towns import geocode_address
from .models import LocationCategory

AGREE_KM = 6.0  # the 0.1 % polygons are off by up to ~5 km at Takamatsu's edges (国分寺町)
ISLAND_KM = 15.0  # islands the simplification dropped (男木島 is ~9 km off the Takamatsu polygon)
# How far a point may lie from its address's town point before the two disagree: a 町丁目 or 小字 is a few
# hundred metres across, a rural 大字 a few km.
TOWN_SPAN_KM = {"block": 3.0, "koaza": 3.0, "oaza": 8.0}
_KM_PER_DEGREE = 111.0


def _km_between(lat_a: float, lon_a: float, lat: float, lon: float) -> float:
    """Equirectangular km: exact enough at the few km these checks compare."""
    scale = math.cos(math.radians(lat))
    return math.hypot(lat_a - lat, (lon_a - lon) * scale) * _KM_PER_DEGREE


@dataclass(frozen=True)
class Spot:
    municipality_id: Optional[int]
    prefecture_id: int
    review_note: Optional[str] = None


class Places:
    """Municipalities, prefectures and categories of the database, and the polygons, for one import."""

    def __init__(self) -> None:
        self.municipalities = {m.id: m for m in db.session.scalars(select(Municipality))}
        self.prefectures = {p.id: p for p in db.session.scalars(select(Prefecture))}
        self.categories = {c.code: c for c in db.session.scalars(select(LocationCategory))}
        self.by_code = {m.code: m for m in self.municipalities.values()}
        self.prefecture_by_code = {p.code: p for p in self.prefectures.values()}
        self.index_suffixes: dict[tuple[str, Optional[int], int], str] = {}
        self.boundaries = boundaries()
        self._shapes: dict[str, list] = {}
        for code, shape in zip(self.boundaries.codes, self.boundaries.shapes):
            self._shapes.setdefault(code, []).append(shape)
        # A designated city's wards have polygons; the city itself (named in "札幌市…" addresses) has none.
        self.parent: dict[str, str] = {}
        by_name = {(m.prefecture_id, m.name_ja): m.code for m in self.municipalities.values()}
        for m in self.municipalities.values():
            if m.is_ward and " " in m.name_ja:
                city = by_name.get((m.prefecture_id, m.name_ja.split(" ", 1)[0]))
                if city:
                    self.parent[m.code] = city
                    self._shapes.setdefault(city, []).extend(self._shapes.get(m.code, []))
        self._address_cache: dict[str, Optional[str]] = {}

    def _address_code(self, address: Optional[str]) -> Optional[str]:
        if not address:
            return None
        # The municipality comes before any number; the block numbers would defeat the cache.
        key = re.split(r"[0-9０-９]", address, maxsplit=1)[0][:40]
        if key not in self._address_cache:
            self._address_cache[key] = geo.municipality_in_address(address)
        return self._address_cache[key]

    def _agrees(self, polygon_code: str, address_code: str) -> bool:
        return polygon_code == address_code or self.parent.get(polygon_code) == address_code

    def _km_to(self, code: str, lat: float, lon: float) -> float:
        """How far the point is from the municipality: its polygons, or its office (islands such as 青ヶ島村 and
        御蔵島村 lost their whole polygon to the simplification)."""
        town = self.by_code[code]
        office = _km_between(town.office_lat, town.office_lon, lat, lon)
        point = shapely.Point(lon, lat)
        return min([office] + [shape.distance(point) * _KM_PER_DEGREE for shape in self._shapes.get(code, ())])

    def spot_many(self, rows: list[tuple[float, float, Optional[str], bool]]) -> list[Optional[Spot]]:
        """spot() for (lat, lon, address, geocoded) rows, with one vectorised polygon query for all of them."""
        found = self.boundaries.place_many([(lat, lon) for lat, lon, _, _ in rows])
        return [self.spot(lat, lon, address, geocoded, placed)
                for (lat, lon, address, geocoded), placed in zip(rows, found)]

    def spot(self, lat: float, lon: float, address: Optional[str] = None, geocoded: bool = False,
             found: object = ...) -> Optional[Spot]:
        """Municipality and prefecture of a point, or None when it is not in Japan.

        ``geocoded``: the point came from the address itself (e.g. 舳倉島's 町 point, 50 km off any polygon)."""
        if found is ...:
            found = self.boundaries.place(lat, lon)
        address_code = self._address_code(address)
        if geocoded and address_code in self.by_code and (found is None or not self._agrees(found.code, address_code)):
            return self._spot(address_code)
        if address_code and address_code in self.by_code and (found is None or not self._agrees(found.code, address_code)):
            if self._km_to(address_code, lat, lon) <= (AGREE_KM if found is not None else ISLAND_KM):
                # Near enough to the named municipality for the simplified polygons to be wrong: the address
                # decides, unless the address's own town is far from the point (a wrong point, not a wrong polygon).
                return self._spot(address_code, self._far_from_town(address, lat, lon))
            if found is not None:
                named = self.by_code[address_code]
                here = self.by_code.get(found.code)
                # Stored with the row and read by both languages' staff, so it says it in both.
                here_name = here.name_ja if here else found.code
                return self._spot(found.code, f"住所は{named.name_ja}、地点は{here_name} / the address names "
                                              f"{named.name_ja} but the point lies in {here_name}")
        if found is None:
            return None
        return self._spot(found.code)

    def _far_from_town(self, address: str, lat: float, lon: float) -> Optional[str]:
        """A review note when the town (町丁目, 小字 or 大字) the address names lies farther from the point than a
        town of that kind spans; None when it is near or the address reaches no town."""
        town = geocode_address(address)
        if town is None or town.level not in TOWN_SPAN_KM:
            return None
        km = _km_between(town.lat, town.lon, lat, lon)
        if km <= TOWN_SPAN_KM[town.level]:
            return None
        return (f"地点は住所の町（{town.name}）から{km:.0f} km離れています / the point lies {km:.0f} km from the "
                f"address's town ({town.name})")

    def _spot(self, code: str, note: Optional[str] = None) -> Spot:
        municipality = self.by_code.get(code)
        if municipality is not None:
            return Spot(municipality.id, municipality.prefecture_id, note)
        # A polygon whose code the directory lacks (merged since 2021): the prefecture is still known.
        return Spot(None, self.prefecture_by_code[code[:2]].id, note)
