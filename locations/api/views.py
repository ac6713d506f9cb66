"""JSON, GeoJSON (RFC 7946) and CSV for maps and other tools; errors are JSON with reasons."""
from __future__ import annotations

from typing import Optional

from flask import abort, current_app, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core import http, versions
from ..core.clock import today_jst
from ..core.extensions import db
from ..core.params import BLOCK_CODE, PREFECTURE_CODE, parse_bbox, parse_int
from ..core.security import limiter
from ..directory import layers
from ..directory import outlines
from ..directory import queries as directory
from ..directory.queries import CommissionFilter
from ..library import queries as library
from ..library.filters import parse_filters
from ..library.models import FACILITIES, Location
from ..reports import overuse
from . import bp, exports
from .responses import bad_request, geojson


def _code_arg(name: str, pattern) -> Optional[str]:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not pattern.match(value):
        abort(400, description=f"'{name}' is not a valid code: {value[:20]!r}")
    return value


@bp.route("/commissions")
def commissions():
    filters = CommissionFilter(
        text=request.args.get("q", "").strip()[:100],
        block=_code_arg("block", BLOCK_CODE),
        prefecture=_code_arg("prefecture", PREFECTURE_CODE),
    )
    found = directory.find_commissions(filters)
    return geojson(directory.commissions_geojson(found, lambda slug: url_for("directory.commission", slug=slug)))


@bp.route("/prefectures")
def prefectures():
    payload = directory.prefectures_geojson(
        _code_arg("block", BLOCK_CODE),
        _code_arg("prefecture", PREFECTURE_CODE),
        lambda code: url_for("directory.prefecture", code=code),
    )
    # The maps ask for ?v=<stamp> (directory.layers.outlines_url): that answer is kept a year.
    return http.set_cache(geojson(payload), request.args.get("v"), versions.current(db.session, layers.OUTLINES))


@bp.route("/municipal-outlines")
def municipal_outlines():
    """Municipality outlines meeting ``bbox`` (west,south,east,north): the maps' offline base at city zoom."""
    errors: list[str] = []
    if "bbox" not in request.args:
        errors.append("bbox: " + _("required (west,south,east,north)"))
    bbox = parse_bbox(request.args["bbox"], errors) if "bbox" in request.args else None
    if errors:
        return bad_request(errors)
    response = geojson(outlines.outlines_geojson(current_app.config["SEEDS_DIR"], bbox))
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


def point_features(points: list[library.MapPoint], distances: Optional[list[Optional[float]]] = None) -> list[dict]:
    """Map markers and result lists (the same properties as ``location_feature``, with each distance in km
    when given); URLs are built once and filled in, as url_for per point dominated the request."""
    location_url = url_for("library.location", slug="__slug__")
    thumb_url = url_for("library.photo_thumbnail", photo_id=0).replace("/0/", "/__id__/")
    features = []
    for p, distance_km in zip(points, distances or [None] * len(points)):
        properties = {
            "slug": p.slug, "name_ja": p.name_ja, "name_en": p.name_en, "category": p.category,
            "category_ja": p.category_ja, "category_en": p.category_en,
            "url": location_url.replace("__slug__", p.slug),
            "thumbnail": thumb_url.replace("__id__", str(p.photo_id)) if p.photo_id else None,
            "synthetic": p.is_synthetic,
        }
        if distance_km is not None:
            properties["distance_km"] = round(distance_km, 3)
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                         "properties": properties})
    return features


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
        return bad_request(errors, **({"suggestions": suggestions} if parsed.unknown_place else {}))
    if output == "csv":
        return exports.locations_csv(parsed.filters, after, per_page)
    if bbox is not None:
        view = library.viewport(bbox, zoom, parsed.filters, cap)
        features = [cluster_feature(*c) for c in view.clusters] or point_features(view.points)
        return geojson({"type": "FeatureCollection", "features": features,
                         "total": view.total, "clustered": bool(view.clusters), "capped": view.capped})
    result = library.search_locations(parsed.filters, page=page, per_page=per_page, points=True)
    return geojson({
        "type": "FeatureCollection",
        "features": point_features([point for point, _ in result.results], [km for _, km in result.results]),
        "total": result.total, "total_capped": result.capped, "page": result.page, "pages": result.pages,
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
    return geojson(location_feature(found, detail=True))


@bp.route("/overuse")
def overuse_geojson():
    """Busy municipalities as GeoJSON points (shoot days in the window at or above the threshold)."""
    threshold, window_days = overuse.settings()
    areas = overuse.busy_areas(today_jst(), window_days, threshold)
    return geojson(overuse.busy_areas_geojson(areas, threshold, window_days,
                                               lambda code: url_for("directory.prefecture", code=code)))
