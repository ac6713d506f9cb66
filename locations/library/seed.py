"""Seed the location library: the category taxonomy and Takamatsu's real public places."""
from __future__ import annotations

import hashlib
import re
from datetime import date

from sqlalchemy import select

from ..core.extensions import db
from ..core.seeding import Loader, SeedError, read_csv
from ..directory.geo import romaji_of, romanize_reading
from ..directory.models import FilmCommission, Municipality, Prefecture
from .models import Location, LocationCategory
from .placing import Places
from .queries import build_index_text

TAKAMATSU_CREDIT = ("出典：高松市オープンデータ（https://opendata.takamatsu-fact.com/） {name}, CC BY 4.0; "
                    "converted from xlsx to CSV by the team, values unchanged")
# (seed file, upstream table name, date the upstream table last changed, used as "last verified")
TAKAMATSU_FILES = (
    ("takamatsu_tourist_facilities.csv", "tourist_facilities/data.xlsx (観光施設)", date(2026, 3, 12)),
    ("takamatsu_parks.csv", "park/data.xlsx (公園)", date(2026, 8, 21)),
)
OWNER_SLUG = "kagawa-film-commission"
READINGS_FILE = "location_readings.csv"  # sourced readings of names pykakasi reads wrong (栗林 → kuribayashi)
# First matching keyword in a facility's name decides its category; parks come from their own file.
NAME_CATEGORIES = (
    (("寺", "神社"), "temple_shrine"), (("公園", "庭園"), "park"),
    (("美術館", "資料館", "記念館", "ミュージアム", "おにの館", "灯台資料館"), "museum"), (("商店街", "alley"), "shopping_street"),
    (("灯台", "防波堤", "港"), "port"), (("海水浴場", "岬"), "coast"), (("滝",), "waterfall"),
    (("温泉", "湯"), "hot_spring"), (("キャンプ場",), "campsite"), (("展望台",), "observation_point"),
    (("山",), "mountain"), (("森",), "forest"),
)


def load_categories(loader: Loader) -> None:
    path, existing = loader.path("location_categories.csv"), loader.existing(LocationCategory, "code")
    for order, (line, row) in enumerate(read_csv(path)):
        loader.required(path, line, row, "code", "name_ja", "name_en", "source")
        loader.upsert(LocationCategory, row["code"], {
            "code": row["code"], "name_ja": row["name_ja"], "name_en": row["name_en"], "sort_order": order,
            "typical_permits": row["typical_permits"] or None, "source": row["source"],
        }, existing)
    db.session.flush()


def category_for(name: str, default: str) -> str:
    for keywords, code in NAME_CATEGORIES:
        if any(k in name for k in keywords):
            return code
    return default


def location_slug(name: str, source_file: str) -> str:
    """Readable and stable: romaji of the name plus a short hash of file and name."""
    digest = hashlib.sha1(f"{source_file}:{name}".encode()).hexdigest()[:6]
    base = re.sub(r"[^a-z0-9]+", "-", romanize_reading(name).lower()).strip("-")[:50].strip("-")
    return f"{base or 'place'}-{digest}"


def parking(note: str) -> tuple[bool | None, bool | None]:
    """(has parking, takes large vehicles) from the city's free-text parking field."""
    note = note.strip()
    if not note:
        return None, None
    if note.startswith("無"):
        return False, False
    return True, (True if "大型" in note else None)


def load_takamatsu(loader: Loader) -> None:
    owner = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == OWNER_SLUG))
    takamatsu = db.session.scalar(select(Municipality).where(Municipality.name_ja == "高松市"))
    if owner is None or takamatsu is None:
        raise SeedError(loader.path("film_commissions.csv"), 1, f"{OWNER_SLUG} or 高松市 is missing")
    prefecture = db.session.get(Prefecture, takamatsu.prefecture_id)
    categories = loader.existing(LocationCategory, "code")
    existing = loader.existing(Location, "slug")
    readings = {row["name_ja"]: row["reading"] for _, row in read_csv(loader.path(READINGS_FILE))}
    places = Places()
    for filename, upstream, verified in TAKAMATSU_FILES:
        path = loader.path(filename)
        is_park_file = "parks" in filename
        for line, row in read_csv(path):
            loader.required(path, line, row, "name", "latitude", "longitude")
            lat, lon = loader.coordinate(path, line, row["latitude"], row["longitude"])
            name = row["name"]
            category = categories["park"] if is_park_file else categories[category_for(name, "tourist_facility")]
            has_parking, large = parking(row.get("parkingInformation", ""))
            values = {
                "slug": location_slug(name, filename), "commission_id": owner.id, "name_ja": name, "name_en": None,
                "description_ja": row.get("description") or None, "category_id": category.id,
                "address": "香川県" + row["address"].replace(" ", "") if row["address"] else None,
                "municipality_id": takamatsu.id, "prefecture_id": prefecture.id, "lat": lat, "lon": lon,
                "has_parking": has_parking, "has_large_vehicles": large,
                "parking_note": row.get("parkingInformation") or None, "access_ja": row.get("access") or None,
                "typical_permits": category.typical_permits, "status": "published", "last_verified": verified,
                "source": TAKAMATSU_CREDIT.format(name=upstream), "is_synthetic": False,
            }
            # The polygons decide, as for any import (the city's files also hold island and edge points).
            spot = places.spot(lat, lon, values["address"])
            if spot is None:
                raise SeedError(path, line, f"{lat}, {lon} is not in Japan")
            values["municipality_id"], values["prefecture_id"] = spot.municipality_id, spot.prefecture_id
            values["review_note"] = spot.review_note
            reading = next((kana for key, kana in readings.items() if key in name), None)
            values["name_romaji"] = romaji_of(name, reading)
            values["search_text"] = build_index_text(
                name, None, values["description_ja"], None, None, values["address"], category,
                places.municipalities.get(spot.municipality_id), places.prefectures[spot.prefecture_id],
                name_romaji=values["name_romaji"])
            loader.upsert(Location, values["slug"], values, existing)
    db.session.flush()
