"""Public pages of the location library: search, the map, one location."""
from __future__ import annotations

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...core import file_storage, maps
from ...core.extensions import db
from ...core.i18n import current_language
from ...core.params import parse_int
from ...directory import queries as directory
from ...directory.layers import block_colours_by_code, commission_layer, outline_layer
from ...directory.models import FilmCommission
from ...permits.models import PermitAuthority, PermitType
from ...permits.spatial import app_layers, ground_at
from .. import bp
from .. import queries as library
from ..filters import parse_filters
from ..models import FACILITIES, Location, LocationCategory, Photo
from ..photos import photo_key, thumb_key

FILTER_ARGS = ("q", "category", "prefecture", "block", "commission", "near", "radius_km")


def _location_layer(args: dict) -> maps.RemoteLayer:
    return maps.RemoteLayer(
        kind="viewport",
        url=url_for("api.locations", **args),
        name=_("Locations"),
        options={
            "lang": current_language(),
            "colors": block_colours_by_code(),
            "clusterText": _("%(num)s locations here: zoom in to see them", num="{n}"),
            "syntheticText": _("Synthetic test entry"),
        },
    )


def _busy_layer() -> maps.RemoteLayer:
    """Busy municipalities (shoot days over the threshold in the window), from the API the reports serve."""
    threshold, window_days = current_app.config["OVERUSE_THRESHOLD_DAYS"], current_app.config["OVERUSE_WINDOW_DAYS"]
    return maps.RemoteLayer(kind="points", url=url_for("api.overuse_geojson"),
                            name=_("Busy areas (%(n)d+ shoot days in %(w)d days)", n=threshold, w=window_days),
                            options={"lang": current_language(), "color": "#c0392b", "key": "busy", "radius": 11,
                                     "daysText": _("Busy area: %(n)s shoot days in the last %(w)d days",
                                                   n="{n}", w=window_days)})


def _filter_args() -> dict:
    args = {k: v for k in FILTER_ARGS if (v := request.args.get(k, "").strip())}
    facilities = [f for f in request.args.getlist("facility") if f in FACILITIES]
    if facilities:
        args["facility"] = facilities
    return args


@bp.route("/locations")
def locations():
    parsed = parse_filters(request.args)
    errors = list(parsed.errors)
    page = parse_int(request.args, "page", 1, 1, 100000, errors)
    sort = request.args.get("sort", "relevance")
    if sort not in ("relevance", "distance"):
        sort = "relevance"
    result = library.search_locations(parsed.filters, page=page, per_page=20, sort=sort)
    # The map shows what the list shows: an unknown place drops only the distance filter.
    args = _filter_args() if not parsed.errors else {}
    if parsed.unknown_place and parsed.errors == [e for e in parsed.errors if e.startswith("near:")]:
        args = {k: v for k, v in _filter_args().items() if k not in ("near", "radius_km")}
    near = parsed.filters.near if "near" in args else None
    # A "near" search frames its circle (and draws it), so the results are in view, not all of Japan.
    fmap = maps.build_map([outline_layer(), commission_layer(), _location_layer(args)],
                          circle=(near.lat, near.lon, near.radius_km) if near is not None else None)
    categories = db.session.scalars(select(LocationCategory).order_by(LocationCategory.sort_order)).all()
    return render_template(
        "library/search.html", result=result, filters=parsed.filters, errors=errors,
        unknown_place=parsed.unknown_place, suggestions=parsed.suggestions, categories=categories,
        blocks=directory.region_choices(), facilities=FACILITIES, sort=sort, fmap=fmap,
        filter_args=_filter_args(),
    ), (400 if parsed.errors and not parsed.unknown_place else 200)


@bp.route("/map", endpoint="map")
def full_map():
    fmap = maps.build_map([outline_layer(), commission_layer(), _location_layer({}), _busy_layer()])
    return render_template("library/map.html", fmap=fmap)


@bp.route("/locations/<slug>")
def location(slug: str):
    loc = db.one_or_404(
        select(Location).where(Location.slug == slug, Location.status == "published", Location.hidden_stale.is_(False)).options(
            selectinload(Location.category), selectinload(Location.photos), selectinload(Location.prefecture),
            selectinload(Location.municipality), selectinload(Location.commission))
    )
    commissions = db.session.scalars(select(FilmCommission)).all()
    # Thousands of candidate offices (OpenStreetMap): only those around the point are worth comparing.
    near_box = PermitAuthority.lat.between(loc.lat - 0.3, loc.lat + 0.3) & PermitAuthority.lon.between(
        loc.lon - 0.4, loc.lon + 0.4)
    authorities = db.session.scalars(select(PermitAuthority).where(
        near_box | (PermitAuthority.layer != "osm")).options(selectinload(PermitAuthority.kind))).all()
    permits = db.session.scalars(select(PermitType).where(PermitType.code.in_(loc.permit_codes))).all()
    fmap = maps.build_map(
        [outline_layer(prefecture=loc.prefecture.code), commission_layer(prefecture=loc.prefecture.code),
         maps.RemoteLayer(kind="points", url=url_for("api.locations", q="", near=f"{loc.lat},{loc.lon}", radius_km=2),
                          name=_("Locations"), options={"lang": current_language(), "color": "#b3261e"})],
        center=(loc.lat, loc.lon), zoom=15,
    )
    return render_template(
        "library/detail.html", loc=loc, fmap=fmap, permits=permits, facilities=FACILITIES,
        nearest_commissions=library.nearest(commissions, loc.lat, loc.lon, 3),
        nearest_authorities=library.nearest(authorities, loc.lat, loc.lon, 5),
        ground=ground_at(app_layers(), loc.lat, loc.lon, current_language()),
    )


# --- photos: public for published locations, for the owning FC and admins otherwise

def _send(key_of, photo_id: int):
    photo = db.get_or_404(Photo, photo_id)
    location = photo.location
    # A removed photo waits for undo: only its FC (and admins) still see it, in the "recently removed" list.
    public = location.status == "published" and not location.hidden_stale and photo.deleted_at is None
    owner = current_user.is_authenticated and (
        current_user.role == "admin" or current_user.commission_id == location.commission_id)
    if not (public or owner):
        abort(404)
    response = file_storage.send(key_of(photo), mimetype=photo.content_type, max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not public:
        # Only the FC and admins may see it, and may stop being allowed to: no cache keeps a copy.
        response.headers["Cache-Control"] = "private, no-store"
        del response.headers["Expires"]
    return response


@bp.route("/photos/<id:photo_id>")
def photo(photo_id: int):
    return _send(photo_key, photo_id)


@bp.route("/photos/<id:photo_id>/thumb")
def photo_thumbnail(photo_id: int):
    return _send(thumb_key, photo_id)
