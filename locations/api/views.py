"""JSON, GeoJSON (RFC 7946) and CSV for maps and other tools; errors are JSON with reasons."""
from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any, Optional

from flask import abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.clock import today_jst
from ..core.extensions import db
from ..core.i18n import current_language
from ..core.limits import MAX_YEN
from ..core.params import BLOCK_CODE, PREFECTURE_CODE, SLUG, first_nul, json_nesting, parse_bbox, parse_int
from ..core.security import limiter, rate_limits_off
from ..directory import queries as directory
from ..directory.geo import nearest_municipality
from ..directory.queries import CommissionFilter
from ..incentives import estimator as incentives
from ..library import queries as library
from ..library.filters import parse_filters
from ..library.models import FACILITIES, Location
from ..permits import engine as permits
from ..permits.engine import MAX_SHOOT_DAYS
from ..permits.models import Activity
from ..reports import overuse
from . import bp, exports

GEOJSON = "application/geo+json"


def _code_arg(name: str, pattern) -> Optional[str]:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not pattern.match(value):
        abort(400, description=f"'{name}' is not a valid code: {value[:20]!r}")
    return value


def _geojson(payload: dict):
    response = jsonify(payload)
    response.mimetype = GEOJSON
    return response


def _bad_request(errors: list[str], **extra):
    return jsonify(errors=errors, **extra), 400


@bp.route("/commissions")
def commissions():
    filters = CommissionFilter(
        text=request.args.get("q", "").strip()[:100],
        block=_code_arg("block", BLOCK_CODE),
        prefecture=_code_arg("prefecture", PREFECTURE_CODE),
    )
    found = directory.find_commissions(filters)
    return _geojson(directory.commissions_geojson(found, lambda slug: url_for("directory.commission", slug=slug)))


@bp.route("/prefectures")
def prefectures():
    payload = directory.prefectures_geojson(
        _code_arg("block", BLOCK_CODE),
        _code_arg("prefecture", PREFECTURE_CODE),
        lambda code: url_for("directory.prefecture", code=code),
    )
    response = _geojson(payload)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def thumbnail_url(location: Location) -> Optional[str]:
    return url_for("library.photo_thumbnail", photo_id=location.photos[0].id) if location.photos else None


def location_feature(location: Location, distance_km: Optional[float] = None, detail: bool = False) -> dict:
    properties = {
        "slug": location.slug,
        "name_ja": location.name_ja,
        "name_en": location.name_en,
        "category": location.category.code,
        "category_ja": location.category.name_ja,
        "category_en": location.category.name_en,
        "url": url_for("library.location", slug=location.slug),
        "thumbnail": thumbnail_url(location),
        "synthetic": location.is_synthetic,
    }
    if distance_km is not None:
        properties["distance_km"] = round(distance_km, 3)
    if detail:
        properties.update(
            description_ja=location.description_ja, description_en=location.description_en,
            address=location.address, prefecture=location.prefecture.code,
            municipality=location.municipality.name_ja if location.municipality else None,
            commission=location.commission.slug,
            facilities={name: location.facility(name) for name in FACILITIES},
            access_ja=location.access_ja, access_en=location.access_en,
            typical_permits=location.permit_codes,
            photos=[{"url": url_for("library.photo", photo_id=p.id),
                     "thumbnail": url_for("library.photo_thumbnail", photo_id=p.id),
                     "caption_ja": p.caption_ja, "caption_en": p.caption_en, "credit": p.credit}
                    for p in location.photos],
            last_verified=location.last_verified.isoformat() if location.last_verified else None,
            source=location.source,
        )
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [location.lon, location.lat]},
        "properties": properties,
    }


def point_features(points: list[library.MapPoint]) -> list[dict]:
    """Map markers; URLs are built once and filled in, as url_for per point dominated the request."""
    location_url = url_for("library.location", slug="__slug__")
    thumb_url = url_for("library.photo_thumbnail", photo_id=0).replace("/0/", "/__id__/")
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "slug": p.slug, "name_ja": p.name_ja, "name_en": p.name_en, "category": p.category,
                "category_ja": p.category_ja, "category_en": p.category_en,
                "url": location_url.replace("__slug__", p.slug),
                "thumbnail": thumb_url.replace("__id__", str(p.photo_id)) if p.photo_id else None,
                "synthetic": p.is_synthetic,
            },
        }
        for p in points
    ]


def cluster_feature(lat: float, lon: float, count: int) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"cluster": True, "count": count},
    }


@bp.route("/locations")
@limiter.limit(exports.export_rate_limit, exempt_when=exports.export_limit_exempt,
               error_message=exports.export_limit_message)
def locations():
    args = request.args
    parsed = parse_filters(args)
    errors = parsed.errors
    output = args.get("format", "geojson")
    if output not in ("geojson", "csv"):
        errors.append("format: " + _("must be geojson or csv"))
    bbox = parse_bbox(args["bbox"], errors) if "bbox" in args else None
    zoom = parse_int(args, "zoom", 10, 0, 22, errors)
    cap = parse_int(args, "limit", current_app.config["MAP_POINT_CAP"], 1, 2000, errors)
    page = parse_int(args, "page", 1, 1, 100000, errors)
    if output == "csv":
        after, per_page = exports.parse_page(args, errors)
    else:
        per_page = parse_int(args, "per_page", 100, 1, 1000, errors)
    if errors:
        suggestions = [s.name for s in parsed.suggestions]
        return _bad_request(errors, **({"suggestions": suggestions} if parsed.unknown_place else {}))
    if output == "csv":
        return exports.locations_csv(parsed.filters, after, per_page)
    if bbox is not None:
        view = library.viewport(bbox, zoom, parsed.filters, cap)
        features = [cluster_feature(*c) for c in view.clusters] or point_features(view.points)
        return _geojson({"type": "FeatureCollection", "features": features,
                         "total": view.total, "clustered": bool(view.clusters)})
    result = library.search_locations(parsed.filters, page=page, per_page=per_page)
    return _geojson({
        "type": "FeatureCollection",
        "features": [location_feature(loc, distance) for loc, distance in result.results],
        "total": result.total, "page": result.page, "pages": result.pages,
    })


@bp.route("/locations/<slug>")
def location(slug: str):
    found = db.session.scalar(
        select(Location).where(Location.slug == slug, Location.status == "published", Location.hidden_stale.is_(False)).options(
            selectinload(Location.category), selectinload(Location.photos), selectinload(Location.prefecture),
            selectinload(Location.municipality), selectinload(Location.commission))
    )
    if found is None:
        abort(404, description=f"no published location {slug[:120]!r}")
    return _geojson(location_feature(found, detail=True))


# ------------------------------------------------------------------------------------- permit planning

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Japan from Okinotorishima (20.4°N) to Etorofu (45.6°N), Yonaguni (122.9°E) to Minamitorishima (154.0°E).
JAPAN_LAT, JAPAN_LON = (20.0, 46.0), (122.0, 154.5)
# The holiday calendar covers 1949–2099; filing dates fall up to ~2 months before the start.
PLAN_YEARS = (2000, 2099)
MAX_ACTIVITIES = 30
MAX_PLAN_BODY = 64 * 1024
# The deepest body the APIs accept needs 3 levels; 8 leaves room without inviting a parser bomb.
MAX_JSON_DEPTH = 8


def _permit_plan_limit() -> str:
    return current_app.config["PERMIT_PLAN_RATE_LIMIT"]


@bp.route("/activities")
def activities():
    rows = db.session.scalars(select(Activity).order_by(Activity.id))
    return jsonify([{"code": a.code, "name_ja": a.name_ja, "name_en": a.name_en} for a in rows])


def _plan_number(value: Any, name: str, low: float, high: float, errors: list[str]) -> Optional[float]:
    # bool is an int in Python, but true is no coordinate.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        errors.append(f"{name}: must be a number")
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer with hundreds of digits
        errors.append(f"{name}: outside Japan (expected {low:g}..{high:g})")
        return None
    if not math.isfinite(number):
        errors.append(f"{name}: must be a finite number")
        return None
    if not low <= number <= high:
        errors.append(f"{name}: outside Japan (expected {low:g}..{high:g})")
        return None
    return number


def _plan_date(body: dict, name: str, errors: list[str]) -> Optional[date]:
    value = body.get(name)
    if value is None:
        errors.append(f"{name}: required (YYYY-MM-DD)")
        return None
    if not isinstance(value, str) or not ISO_DATE.match(value):
        errors.append(f"{name}: must be a date as YYYY-MM-DD")
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        errors.append(f"{name}: {value!r} is not a calendar date")
        return None
    if not PLAN_YEARS[0] <= parsed.year <= PLAN_YEARS[1]:
        errors.append(f"{name}: must be in the years {PLAN_YEARS[0]}..{PLAN_YEARS[1]}")
        return None
    return parsed


def _plan_place(value: Any, errors: list[str]) -> Optional[dict]:
    """Where the shoot is: a published location by slug, or coordinates placed by the nearest town hall."""
    if not isinstance(value, dict):
        errors.append("location: required, an object with either slug or lat and lon")
        return None
    if "slug" in value and ("lat" in value or "lon" in value):
        errors.append("location: give either slug or lat and lon, not both")
        return None
    if "slug" in value:
        slug = value["slug"]
        if not isinstance(slug, str) or not SLUG.match(slug):
            errors.append("location.slug: must be a location slug")
            return None
        found = db.session.scalar(select(Location).where(
            Location.slug == slug, Location.status == "published", Location.hidden_stale.is_(False)))
        if found is None:
            errors.append(f"location.slug: no published location {slug!r}")
            return None
        return {"lat": found.lat, "lon": found.lon, "prefecture": found.prefecture.code,
                "municipality": found.municipality.code if found.municipality else None,
                "category": found.category.code,
                "typical_permits": tuple(found.permit_codes or
                                         [c.strip() for c in (found.category.typical_permits or "").split(";")
                                          if c.strip()]),
                "slug": found.slug}
    if "lat" not in value or "lon" not in value:
        errors.append("location: required, an object with either slug or lat and lon")
        return None
    lat = _plan_number(value["lat"], "location.lat", *JAPAN_LAT, errors)
    lon = _plan_number(value["lon"], "location.lon", *JAPAN_LON, errors)
    if lat is None or lon is None:
        return None
    town = nearest_municipality(lat, lon)
    if town is None:
        errors.append("location: no Japanese municipality near these coordinates (outside Japan?)")
        return None
    return {"lat": lat, "lon": lon, "prefecture": town.prefecture.code, "municipality": town.code,
            "category": None, "typical_permits": (), "slug": None}


def _json_body() -> tuple[Optional[dict], str, list[str]]:
    """The request's JSON object (or None), the answer language and the problems found so far.

    Parsed here rather than by ``get_json``: a body of 1,000 nested brackets makes Python's parser raise
    RecursionError, which ``silent=True`` does not catch, and NUL characters could not be stored anyway."""
    too_big = [f"body: larger than {MAX_PLAN_BODY // 1024} KB"]
    if request.content_length is not None and request.content_length > MAX_PLAN_BODY:
        return None, "en", too_big
    raw = request.get_data(cache=True)
    if len(raw) > MAX_PLAN_BODY:
        return None, "en", too_big
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "en", ["body: must be JSON in UTF-8"]
    if json_nesting(text) > MAX_JSON_DEPTH:
        return None, "en", [f"body: nested more than {MAX_JSON_DEPTH} levels deep"]
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return None, "en", ["body: must be a JSON object"]
    nul = first_nul(body)
    if nul:
        return None, "en", [f"{nul}: contains a NUL character"]
    errors: list[str] = []
    lang = body.get("lang", current_language() if current_language() in ("en", "ja") else "en")
    if lang not in ("en", "ja"):
        errors.append("lang: must be en or ja")
        lang = "en"
    return body, lang, errors


@bp.route("/permit-plan", methods=["POST"])
@limiter.limit(_permit_plan_limit, methods=["POST"],
               exempt_when=rate_limits_off)
def permit_plan():
    """The permits a shoot needs, where to file each and the latest safe filing dates."""
    body, lang, errors = _json_body()
    if body is None:
        return _bad_request(errors)
    place = _plan_place(body.get("location"), errors)
    start, end = _plan_date(body, "start_date", errors), _plan_date(body, "end_date", errors)
    if start and end and end < start:
        errors.append("end_date: before start_date")
    elif start and end and (end - start).days + 1 > MAX_SHOOT_DAYS:
        errors.append(f"end_date: a plan covers at most {MAX_SHOOT_DAYS} days")
    rules = permits.load_rules(db.session)
    chosen = body.get("activities")
    codes: list[str] = []
    if not isinstance(chosen, list):
        errors.append("activities: required, a list of activity codes")
    elif len(chosen) > MAX_ACTIVITIES:
        errors.append(f"activities: at most {MAX_ACTIVITIES}")
    else:
        for item in chosen:
            if not isinstance(item, str):
                errors.append("activities: every item must be an activity code (a string)")
            elif item not in rules.activities:
                errors.append(f"activities: unknown activity {item[:40]!r}")
            elif item not in codes:
                codes.append(item)
    if errors or place is None or start is None or end is None:
        return _bad_request(errors)
    shoot = permits.Shoot(
        lat=place["lat"], lon=place["lon"], prefecture_code=place["prefecture"],
        municipality_code=place["municipality"], start_date=start, end_date=end, activities=tuple(codes),
        category_code=place["category"], typical_permits=place["typical_permits"])
    plan = permits.plan_permits(shoot, rules, today=today_jst(), lang=lang)
    payload = permits.plan_as_json(plan, lang)
    payload["location"] = {"lat": place["lat"], "lon": place["lon"], "prefecture": place["prefecture"],
                           "municipality": place["municipality"], "slug": place["slug"]}
    return jsonify(payload)


# --------------------------------------------------------------------------------- incentive estimates

INCENTIVE_FIELDS = (("total_budget_jpy", MAX_YEN), ("japan_spend_jpy", MAX_YEN),
                    ("release_countries", incentives.MAX_RELEASE_COUNTRIES))


def _incentive_limit() -> str:
    return current_app.config["INCENTIVE_ESTIMATE_RATE_LIMIT"]


def _whole_number(body: dict, name: str, high: int, errors: list[str]) -> Optional[int]:
    value = body.get(name)
    if value is None:
        errors.append(f"{name}: required, a whole number")
        return None
    # bool is an int in Python, and 1.0 is no count of yen.
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append(f"{name}: must be a whole number")
        return None
    if value < 0:
        errors.append(f"{name}: must be 0 or more")
        return None
    if value > high:
        errors.append(f"{name}: must be at most {high}")
        return None
    return value


@bp.route("/incentive-estimate", methods=["POST"])
@limiter.limit(_incentive_limit, methods=["POST"],
               exempt_when=rate_limits_off)
def incentive_estimate():
    """Whether a production meets an incentive programme's thresholds and the rebate it could get."""
    body, lang, errors = _json_body()
    if body is None:
        return _bad_request(errors)
    total, japan, countries = (_whole_number(body, name, high, errors) for name, high in INCENTIVE_FIELDS)
    if total is not None and japan is not None and japan > total:
        errors.append("japan_spend_jpy: more than total_budget_jpy")
    programs = {p.code: p for p in incentives.load_programs(db.session)}
    code = body.get("program")
    if code is None:
        program = incentives.default_program(programs.values())
        if program is None:
            errors.append("program: no incentive programme is on record")
    elif not isinstance(code, str):
        errors.append("program: must be a programme code (a string)")
        program = None
    else:
        program = programs.get(code)
        if program is None:
            errors.append(f"program: unknown programme {code[:60]!r}")
    if errors or program is None or total is None or japan is None or countries is None:
        return _bad_request(errors)
    result = incentives.estimate(program, total, japan, countries, lang=lang)
    return jsonify(eligible=result.eligible, reasons=list(result.reasons),
                   estimated_rebate_jpy=result.estimated_rebate_jpy,
                   program=incentives.program_as_json(program, lang))


@bp.route("/overuse")
def overuse_geojson():
    """Busy municipalities as GeoJSON points (shoot days in the window at or above the threshold)."""
    threshold, window_days = overuse.settings()
    areas = overuse.busy_areas(today_jst(), window_days, threshold)
    return _geojson(overuse.busy_areas_geojson(areas, threshold, window_days,
                                               lambda code: url_for("directory.prefecture", code=code)))
