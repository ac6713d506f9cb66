"""Editing locations and commission profiles: plain functions the FC and admin views share."""
from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from typing import Any, Optional

from sqlalchemy import select

from ..core import audit, clock
from ..core.editing import Conflict
from ..core.extensions import db
from ..directory.geo import nearest_municipality, romanize_name, romanize_reading
from ..directory.models import Municipality, Prefecture
from .models import Location, LocationCategory, Photo
from .cells import count_in_cells, is_visible
from .queries import build_index_text

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


# How long a deleted location or photo can be brought back before the daily job removes it for good.
UNDO_DAYS = 30


def delete_location(location: Location) -> None:
    """Hide the location everywhere and keep it for UNDO_DAYS, so the deletion can be undone."""
    if location.status == Location.DELETED:
        return
    if is_visible(location):
        count_in_cells(location.lat, location.lon, -1)
    before = location.status
    location.status_before_delete, location.status, location.deleted_at = before, Location.DELETED, clock.now()
    db.session.flush()
    audit.record("delete", location, changes={"status": [before, Location.DELETED]},
                 detail=f"can be undone for {UNDO_DAYS} days")


def restore_location(location: Location) -> None:
    """Undo a deletion: the location gets back the status it had."""
    if location.status != Location.DELETED:
        return
    status = location.status_before_delete if location.status_before_delete in Location.STATUSES else "draft"
    location.status, location.deleted_at, location.status_before_delete = status, None, None
    db.session.flush()
    if is_visible(location):
        count_in_cells(location.lat, location.lon, 1)
    audit.record("restore", location, changes={"status": [Location.DELETED, status]})


def delete_photo(photo: Photo) -> None:
    """Hide the photo and keep it (and its files) for UNDO_DAYS."""
    if photo.deleted_at is None:
        photo.deleted_at = clock.now()
        audit.record("delete", photo, commission_id=photo.location.commission_id,
                     changes={"filename": [photo.filename, None], "caption_ja": [photo.caption_ja, None]},
                     detail=f"can be undone for {UNDO_DAYS} days")


def restore_photo(photo: Photo) -> None:
    if photo.deleted_at is not None:
        photo.deleted_at = None
        audit.record("restore", photo, commission_id=photo.location.commission_id,
                     changes={"filename": [None, photo.filename]})


def purge_deleted(now: Optional[datetime] = None) -> int:
    """Remove for good the locations and photos deleted more than UNDO_DAYS ago; returns how many.
    Photo files go when the transaction commits (stored_files)."""
    cutoff = (now or clock.now()) - timedelta(days=UNDO_DAYS)
    gone = 0
    for photo in db.session.scalars(select(Photo).where(Photo.deleted_at < cutoff)):
        db.session.delete(photo)
        gone += 1
    for location in db.session.scalars(select(Location).where(Location.status == Location.DELETED,
                                                              Location.deleted_at < cutoff)):
        audit.record("purge", location, detail=f"deleted more than {UNDO_DAYS} days before")
        db.session.delete(location)
        gone += 1
    db.session.flush()
    return gone
