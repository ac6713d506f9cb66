"""Search filters from request arguments (q, category, prefecture, block, commission, facilities, near,
radius), collecting every problem as a readable reason; unknown places come back with suggestions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select

from ..core.extensions import db
from ..core.params import (
    BLOCK_CODE,
    CATEGORY,
    DEFAULT_RADIUS_KM,
    LATLON,
    MAX_RADIUS_KM,
    MAX_TEXT,
    PREFECTURE_CODE,
    SLUG,
    _code,
    parse_float,
)
from ..directory import geo
from .models import FACILITIES, LocationCategory
from .queries import LocationFilter, Near


@dataclass
class Parsed:
    filters: LocationFilter
    errors: list[str] = field(default_factory=list)
    suggestions: list[geo.Place] = field(default_factory=list)
    unknown_place: Optional[str] = None


def parse_filters(args) -> Parsed:
    """LocationFilter from request arguments (q, category, prefecture, block, commission,
    facility/facilities, near, radius_km); unknown places come back with suggestions."""
    errors: list[str] = []
    text = args.get("q", "").strip()
    if len(text) > MAX_TEXT:
        errors.append("q: " + _("longer than %(max)d characters", max=MAX_TEXT))
        text = ""
    category = _code(args, "category", CATEGORY, errors)
    if category and db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == category)) is None:
        errors.append("category: " + _("unknown category %(value)s", value=repr(category)))
        category = None
    facilities: list[str] = []
    for raw in args.getlist("facility") + [f for v in args.getlist("facilities") for f in v.split(",")]:
        name = raw.strip()
        if not name:
            continue
        if name not in FACILITIES:
            errors.append("facility: " + _("%(value)s is not one of %(choices)s", value=repr(name[:40]), choices=", ".join(FACILITIES)))
        elif name not in facilities:
            facilities.append(name)
    parsed = Parsed(filters=LocationFilter(), errors=errors)
    near = _near(args, parsed)
    parsed.filters = LocationFilter(
        text=text,
        category=category,
        prefecture=_code(args, "prefecture", PREFECTURE_CODE, errors),
        block=_code(args, "block", BLOCK_CODE, errors),
        commission=_code(args, "commission", SLUG, errors),
        facilities=tuple(facilities),
        near=near,
    )
    return parsed


def _near(args, parsed: Parsed) -> Optional[Near]:
    errors = parsed.errors
    place = args.get("near", "").strip()
    radius_arg = args.get("radius_km", "").strip()
    radius = DEFAULT_RADIUS_KM
    if radius_arg:
        value = parse_float(radius_arg, "radius_km", errors)
        if value is not None and not 0 < value <= MAX_RADIUS_KM:
            errors.append("radius_km: " + _("must be more than 0 and at most %(max)s", max=format(MAX_RADIUS_KM, "g")))
        elif value is not None:
            radius = value
    if not place:
        return None
    if len(place) > MAX_TEXT:
        errors.append("near: " + _("longer than %(max)d characters", max=MAX_TEXT))
        return None
    literal = LATLON.match(place)
    if literal:
        lat, lon = float(literal.group(1)), float(literal.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180:
            return Near(lat, lon, radius, label=f"{lat:.5f}, {lon:.5f}")
        errors.append("near: " + _("coordinates out of range"))
        return None
    found = geo.geocode(place)
    if found is None:
        parsed.unknown_place = place
        parsed.suggestions = geo.suggest(place)
        errors.append("near: " + _("no place called %(value)s was found", value=repr(place[:60])))
        return None
    return Near(found.lat, found.lon, radius, label=found.name)
