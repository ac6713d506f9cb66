"""The film-commission workspace: each FC's staff edit their own profile, locations and photos."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ...core import audit
from ...core.access import fc_staff_only
from ...core.clock import today_jst
from ...core.editing import Conflict, form_conflict
from ...core.extensions import db
from ...core.forms import ActionForm, choices
from ...core.security import safe_next
from ...directory import geo
from ...directory.access import own_commission
from ...permits.models import PermitType
from .. import bp, importing
from .. import editing as workspace
from ..forms import LocationForm, PhotoEditForm, PhotoUploadForm
from ..freshness import is_stale, stale_before
from ..models import Location, LocationCategory, Photo
from ..photos import PhotoError, save_photo

TRI = {"": None, "1": True, "0": False}


def _category_name(category_id):
    return db.session.get(LocationCategory, category_id).name_ja if category_id else None


def own_location(slug: str, deleted: Optional[bool] = False) -> Location:
    """The signed-in user's commission's location, or 404 (logged when it belongs to another FC); a deleted
    one only when ``deleted`` is None (either, for undo)."""
    location = db.session.scalar(select(Location).where(Location.slug == slug).options(selectinload(Location.photos)))
    if location is None or (deleted is not None and (location.status == Location.DELETED) != deleted):
        abort(404)
    if location.commission_id != current_user.commission_id:
        audit.record("denied", location, detail=f"{request.method} {request.path}"[:500])
        db.session.commit()
        abort(404)
    return location


def own_photo(photo_id: int, deleted: Optional[bool] = False) -> Photo:
    photo = db.session.get(Photo, photo_id)
    if photo is None or (deleted is not None and (photo.deleted_at is not None) != deleted):
        abort(404)
    own_location(photo.location.slug)
    return photo


@bp.route("/commission/", endpoint="workspace")
@fc_staff_only
def workspace_home():
    fc = own_commission()
    days = current_app.config["FRESHNESS_DAYS"]
    counts = dict(db.session.execute(
        select(Location.status, func.count()).where(Location.commission_id == fc.id).group_by(Location.status)).all())
    is_stale_row = (Location.commission_id == fc.id) & (Location.status != Location.DELETED) & (
        Location.last_verified.is_(None) | (Location.last_verified < stale_before(today_jst(), days)))
    stale_total = db.session.scalar(select(func.count()).select_from(Location).where(is_stale_row))
    stale = db.session.scalars(
        select(Location).where(is_stale_row)
        .order_by(Location.last_verified.is_(None).desc(), Location.last_verified).limit(STALE_SHOWN)).all()
    return render_template("library/workspace.html", fc=fc, counts=counts, stale=stale, days=days,
                           hidden_after=2 * days, action=ActionForm(), stale_total=stale_total)


STALE_SHOWN = 500  # the bulk re-verify handles a page of this many at once


@bp.route("/commission/locations/verify", methods=["POST"])
@fc_staff_only
def verify_locations():
    """Bulk re-verify: the ticked listings of the commission are confirmed as still accurate today."""
    fc = own_commission()
    if not ActionForm().validate_on_submit():
        abort(400)
    query = select(Location).where(Location.commission_id == fc.id, Location.status != Location.DELETED)
    if request.form.get("all") == "1":  # every stale listing, not only the page shown
        days = current_app.config["FRESHNESS_DAYS"]
        query = query.where(Location.last_verified.is_(None) | (Location.last_verified < stale_before(today_jst(), days)))
    else:
        ids = [int(i) for i in request.form.getlist("ids") if i.isdigit()][:STALE_SHOWN]
        query = query.where(Location.id.in_(ids))
    chosen = db.session.scalars(query).all()
    for location in chosen:
        workspace.verify(location, today_jst())
    db.session.commit()
    flash(ngettext("%(num)d listing confirmed as still accurate.", "%(num)d listings confirmed as still accurate.",
                   len(chosen)))
    return redirect(url_for("library.workspace"))


@bp.route("/commission/locations")
@fc_staff_only
def workspace_locations():
    fc = own_commission()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    kept = (Location.commission_id == fc.id, Location.status != Location.DELETED)
    rows = db.session.scalars(
        select(Location).where(*kept).options(selectinload(Location.category))
        .order_by(Location.updated_at.desc(), Location.id.desc()).limit(50).offset((page - 1) * 50)).all()
    total = db.session.scalar(select(func.count()).select_from(Location).where(*kept))
    deleted = db.session.scalars(select(Location).where(
        Location.commission_id == fc.id, Location.status == Location.DELETED)
        .order_by(Location.deleted_at.desc()).limit(100)).all()
    days = current_app.config["FRESHNESS_DAYS"]
    return render_template("library/fc_locations.html", fc=fc, rows=rows, total=total, page=page, deleted=deleted,
                           undo_days=workspace.UNDO_DAYS, action=ActionForm(),
                           stale={loc.id for loc in rows if is_stale(loc, today_jst(), days)})


def _location_form(location=None) -> LocationForm:
    form = LocationForm(obj=location)
    form.category.choices = choices((str(c.id), c.name_ja + " / " + c.name_en) for c in
                                    db.session.scalars(select(LocationCategory).order_by(LocationCategory.sort_order)))
    form.typical_permits.choices = choices((p.code, f"{p.code} — {p.name_ja}") for p in
                                           db.session.scalars(select(PermitType).order_by(PermitType.id)))
    if request.method == "GET" and location is not None:
        form.version.data = str(location.version)
        form.category.data = str(location.category_id)
        form.typical_permits.data = location.permit_codes
        for name in ("has_parking", "has_power", "has_toilets", "has_green_room", "has_wifi", "has_large_vehicles"):
            value = getattr(location, name)
            getattr(form, name).data = "" if value is None else ("1" if value else "0")
    elif request.method == "GET":
        form.version.data = "0"
    return form


def _values_from(form: LocationForm) -> dict | None:
    text = lambda f: (f.data or "").strip() or None  # noqa: E731
    values = {name: text(getattr(form, name)) for name in (
        "name_ja", "name_en", "description_ja", "description_en", "tags", "address", "parking_note",
        "access_ja", "access_en", "source")}
    for name in ("has_parking", "has_power", "has_toilets", "has_green_room", "has_wifi", "has_large_vehicles"):
        values[name] = TRI.get(getattr(form, name).data)
    values["category_id"] = int(form.category.data)
    values["typical_permits"] = "; ".join(form.typical_permits.data) or None
    lat, lon = form.lat.data, form.lon.data
    if (lat is None) != (lon is None):
        form.lat.errors.append(_("Give both latitude and longitude, or neither to place it by its address."))
        return None
    if lat is None:
        place = geo.geocode(values["address"] or "") if values["address"] else None
        if place is None:
            form.address.errors.append(_("Could not place this address; enter latitude and longitude."))
            return None
        lat, lon = Decimal(str(place.lat)), Decimal(str(place.lon))
    values["lat"], values["lon"] = float(lat), float(lon)
    return values


@bp.route("/commission/locations/new", methods=["GET", "POST"])
@fc_staff_only
def new_location():
    fc = own_commission()
    form = _location_form()
    if form.validate_on_submit():
        values = _values_from(form)
        if values is not None:
            location = Location(slug=workspace.new_slug(values["name_ja"]), commission_id=fc.id,
                                prefecture_id=fc.prefecture_id, status="draft", last_verified=today_jst())
            workspace.save_location(location, values, None)
            db.session.commit()
            flash(_("Location created as a draft. Publish it when it is ready."))
            return redirect(url_for("library.edit_location", slug=location.slug))
    return render_template("library/location_form.html", form=form, location=None), (400 if form.errors else 200)


@bp.route("/commission/locations/<slug>/edit", methods=["GET", "POST"])
@fc_staff_only
def edit_location(slug: str):
    location = own_location(slug)
    form = _location_form(location)
    if form.validate_on_submit():
        values = _values_from(form)
        if values is not None:
            try:
                workspace.save_location(location, values, int(form.version.data))
                db.session.commit()
            except (Conflict, StaleDataError):
                db.session.rollback()
                return form_conflict(location, workspace.LOCATION_FIELDS, form,
                                     url_for("library.edit_location", slug=slug), submitted=values,
                                     labels={"category_id": form.category.label.text},
                                     display={"category_id": _category_name})
            flash(_("Saved."))
            return redirect(url_for("library.edit_location", slug=slug))
    deleted_photos = [p for p in location.all_photos if p.deleted_at is not None]
    return render_template("library/location_form.html", form=form, location=location,
                           upload=PhotoUploadForm(), action=ActionForm(), deleted_photos=deleted_photos,
                           undo_days=workspace.UNDO_DAYS,
                           photo_forms={p.id: PhotoEditForm(obj=p, prefix=f"p{p.id}") for p in location.photos},
                           ), (400 if form.errors else 200)


def _action(slug: str, change) -> object:
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    location = own_location(slug)
    change(location)
    db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for("library.edit_location", slug=slug))


@bp.route("/commission/locations/<slug>/publish", methods=["POST"])
@fc_staff_only
def publish_location(slug: str):
    return _action(slug, lambda loc: workspace.set_status(loc, "published"))


@bp.route("/commission/locations/<slug>/unpublish", methods=["POST"])
@fc_staff_only
def unpublish_location(slug: str):
    return _action(slug, lambda loc: workspace.set_status(loc, "draft"))


@bp.route("/commission/locations/<slug>/verify", methods=["POST"])
@fc_staff_only
def verify_location(slug: str):
    return _action(slug, lambda loc: workspace.verify(loc, today_jst()))


@bp.route("/commission/locations/<slug>/delete", methods=["POST"])
@fc_staff_only
def delete_location(slug: str):
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    workspace.delete_location(own_location(slug))
    db.session.commit()
    flash(_("Location deleted. You can undo this under “Recently deleted” for %(n)d days.", n=workspace.UNDO_DAYS))
    return redirect(url_for("library.workspace_locations", _anchor="recently-deleted"))


@bp.route("/commission/locations/<slug>/restore", methods=["POST"])
@fc_staff_only
def restore_location(slug: str):
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    location = own_location(slug, deleted=None)  # restoring a location not deleted changes nothing
    workspace.restore_location(location)
    db.session.commit()
    flash(_("Location restored."))
    return redirect(url_for("library.edit_location", slug=slug))


@bp.route("/commission/locations/<slug>/photos", methods=["POST"])
@fc_staff_only
def upload_photo(slug: str):
    location = own_location(slug)
    form = PhotoUploadForm()
    if form.validate_on_submit():
        try:
            photo = save_photo(location, form.photo.data.stream, form.caption_ja.data or None,
                               form.caption_en.data or None, form.credit.data or None)
            db.session.flush()
            audit.record("create", photo, commission_id=location.commission_id,
                         changes={"location": [None, location.slug], "caption_ja": [None, photo.caption_ja]})
            db.session.commit()
            flash(_("Photo added."))
        except PhotoError as error:
            db.session.rollback()
            flash(_("The photo was not added: %(reason)s", reason=error.translated()))
    else:
        flash(_("Choose a photo to upload."))
    return redirect(url_for("library.edit_location", slug=slug))


@bp.route("/commission/photos/<id:photo_id>/edit", methods=["POST"])
@fc_staff_only
def edit_photo(photo_id: int):
    photo = own_photo(photo_id)
    form = PhotoEditForm(prefix=f"p{photo.id}")
    if form.validate_on_submit():
        fields = ("caption_ja", "caption_en", "credit", "position")
        before = audit.snapshot(photo, fields)
        photo.caption_ja, photo.caption_en = form.caption_ja.data or None, form.caption_en.data or None
        photo.credit = form.credit.data or None
        if form.position.data is not None:
            photo.position = form.position.data
        changes = audit.diff(before, audit.snapshot(photo, fields))
        if changes:
            audit.record("update", photo, changes=changes, commission_id=photo.location.commission_id)
        db.session.commit()
        flash(_("Saved."))
    else:
        flash(_("The photo details were not saved: %(reason)s", reason="; ".join(
            e for errors in form.errors.values() for e in errors)))
    return redirect(url_for("library.edit_location", slug=photo.location.slug))


@bp.route("/commission/photos/<id:photo_id>/delete", methods=["POST"])
@fc_staff_only
def delete_photo(photo_id: int):
    photo = own_photo(photo_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    slug = photo.location.slug
    workspace.delete_photo(photo)
    db.session.commit()
    flash(_("Photo removed. You can undo this below for %(n)d days.", n=workspace.UNDO_DAYS))
    return redirect(url_for("library.edit_location", slug=slug, _anchor="deleted-photos"))


@bp.route("/commission/photos/<id:photo_id>/restore", methods=["POST"])
@fc_staff_only
def restore_photo(photo_id: int):
    photo = own_photo(photo_id, deleted=None)
    if not ActionForm().validate_on_submit():
        abort(400)
    workspace.restore_photo(photo)
    db.session.commit()
    flash(_("Photo restored."))
    return redirect(url_for("library.edit_location", slug=photo.location.slug))


def _record_import(result, entity_type: str, commission_id) -> None:
    for change in result.changes:
        audit.record(change.action, entity_type=entity_type, entity_id=change.entity_id,
                     commission_id=commission_id, changes=change.fields, detail="import")


@bp.route("/commission/export")
@fc_staff_only
def export_locations():
    fc = own_commission()
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "geojson"):
        abort(400, description=_("format: must be geojson or csv"))
    body = importing.export_locations(fc, fmt)
    mimetype = "text/csv" if fmt == "csv" else "application/geo+json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={fc.slug}-locations.{fmt}"})
