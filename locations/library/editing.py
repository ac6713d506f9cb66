"""Editing locations and commission profiles: plain functions the FC and admin views share."""
from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Optional

from ..core import audit
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.geo import nearest_municipality, romanize_name, romanize_reading
from ..directory.models import Municipality, Prefecture
from .models import Location, LocationCategory
from .queries import build_index_text, count_in_cells, is_visible

LOCATION_FIELDS = (
    "name_ja", "name_en", "description_ja", "description_en", "tags", "address", "lat", "lon",
    "has_parking", "has_power", "has_toilets", "has_green_room", "has_wifi", "has_large_vehicles",
    "parking_note", "access_ja", "access_en", "typical_permits", "source", "category_id",
    "municipality_id", "prefecture_id", "status", "last_verified", "hidden_stale",
)


def new_slug(name_ja: str) -> str:
    base = "-".join(romanize_reading(name_ja).lower().split())
    base = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-" for c in base).strip("-")[:50]
    return f"{base or 'place'}-{secrets.token_hex(3)}"


def save_location(location: Location, values: dict[str, Any], expected_version: Optional[int]) -> dict:
    """Apply ``values`` to ``location`` (new or existing) and record the change; returns the diff.

    Raises Conflict when ``expected_version`` is not the stored version, so nothing is overwritten.
    """
    is_new = location.id is None
    if not is_new and expected_version != location.version:
        raise Conflict(audit.snapshot(location, LOCATION_FIELDS))
    before = {} if is_new else audit.snapshot(location, LOCATION_FIELDS)
    # One UPDATE per save, so the version goes up by exactly one: no flushes half-way through.
    with db.session.no_autoflush:
        was_visible = not is_new and is_visible(location)
        old_point = (location.lat, location.lon)
        for name, value in values.items():
            setattr(location, name, value)
        if location.municipality_id is None or "lat" in values or "lon" in values:
            town = nearest_municipality(location.lat, location.lon)
            if town is not None:
                location.municipality_id, location.prefecture_id = town.id, town.prefecture_id
        category = db.session.get(LocationCategory, location.category_id)
        municipality = db.session.get(Municipality, location.municipality_id) if location.municipality_id else None
        prefecture = db.session.get(Prefecture, location.prefecture_id)
        if is_new or before.get("name_ja") != location.name_ja:
            # Only when the name changes: the write lock is held for the whole request (see core.security).
            location.name_romaji = romanize_name(location.name_ja)
        location.search_text = build_index_text(
            location.name_ja, location.name_en, location.description_ja, location.description_en,
            location.tags, location.address, category, municipality, prefecture, name_romaji=location.name_romaji)
        if is_new:
            db.session.add(location)
        db.session.flush()
    _recount(was_visible, old_point, location)
    changes = audit.diff(before, audit.snapshot(location, LOCATION_FIELDS))
    if changes:
        audit.record("create" if is_new else "update", location, changes=changes)
    return changes


def _recount(was_visible: bool, old_point: tuple, location: Location) -> None:
    now_visible = is_visible(location)
    if was_visible and (not now_visible or old_point != (location.lat, location.lon)):
        count_in_cells(old_point[0], old_point[1], -1)
    if now_visible and (not was_visible or old_point != (location.lat, location.lon)):
        count_in_cells(location.lat, location.lon, 1)


def set_status(location: Location, status: str) -> None:
    save_location(location, {"status": status}, location.version)


def verify(location: Location, today: date) -> None:
    save_location(location, {"last_verified": today, "hidden_stale": False}, location.version)


def delete_location(location: Location) -> None:
    if is_visible(location):
        count_in_cells(location.lat, location.lon, -1)
    audit.record("delete", location, changes={k: [v, None] for k, v in audit.snapshot(location, LOCATION_FIELDS).items()})
    db.session.delete(location)
