"""A production's shoots: where (library location, map point or geocoded address), when and what they do;
saving one turns its permit plan into steps. Registered on the producer blueprint (see producer.py)."""
from __future__ import annotations

from decimal import Decimal

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...core import audit, maps
from ...core.access import producers_only
from ...core.clock import today_jst
from ...core.errors import parse_id
from ...core.extensions import db
from ...core.forms import ActionForm, choices
from ...core.i18n import current_language, data_language, localized_value
from ...directory import towns
from ...directory.geo import nearest_municipality
from ...library.models import Location
from ...permits import rulebook
from ...permits.engine import MAX_SHOOT_DAYS
from ...permits.models import Activity
from ...permits.places import clean_answers
from .. import bp, places
from .. import workflow as cases
from ..forms import ShootForm, WithdrawShootForm
from ..labels import STEP_STATUS_LABELS
from ..models import Production, Shoot
from . import fetch, owned_production

SHOOT_FIELDS = ("name", "location_id", "address", "lat", "lon", "position_precision", "prefecture_id",
                "municipality_id", "start_date", "end_date", "start_time", "end_time", "crew_size", "notes")


@bp.route("/productions/shoot-here")
@producers_only
def shoot_here():
    """From a library location's page: choose the production the new shoot belongs to."""
    slug = request.args.get("location", "").strip()[:120]
    location = db.session.scalar(select(Location).where(
        Location.slug == slug, Location.status == "published", Location.hidden_stale.is_(False)))
    if location is None:
        abort(404)
    chosen = request.args.get("production", type=parse_id)
    if chosen is not None:
        owned_production(chosen)
        return redirect(url_for("cases.new_shoot", production_id=chosen, location=slug))
    rows = db.session.scalars(cases.viewable_productions(current_user).order_by(Production.title)).all()
    return render_template("cases/shoot_here.html", location=location, rows=rows)


def _shoot_form(shoot: Shoot | None) -> ShootForm:
    form = ShootForm()
    lang = current_language()
    activities = db.session.scalars(select(Activity).order_by(Activity.code))
    form.activities.choices = choices((a.code, localized_value(a.name_ja, a.name_en, lang)) for a in activities)
    if request.method != "GET":
        return form
    if shoot is None:
        slug = request.args.get("location", "").strip()[:120]
        chosen = db.session.scalar(select(Location).where(Location.slug == slug, *places.visible())) if slug else None
        form.where.data = "library" if chosen is not None else "address"
        if chosen is not None:
            form.location.data, form.location_slug.data = places.label(chosen), chosen.slug
        return form
    for name in ("name", "address", "start_date", "end_date", "start_time", "end_time", "crew_size", "notes"):
        getattr(form, name).data = getattr(shoot, name)
    form.activities.data = [a.code for a in shoot.activities]
    if shoot.location is not None:
        form.where.data, form.location.data = "library", places.label(shoot.location)
        form.location_slug.data = shoot.location.slug
    else:
        form.where.data = "point" if not shoot.address else "address"
        form.lat.data, form.lon.data = Decimal(f"{shoot.lat:.6f}"), Decimal(f"{shoot.lon:.6f}")
    return form


def _place(form: ShootForm, commissions: list) -> dict | None:
    """Where the shoot is, from the chosen way of saying it, or None with the problem on the form."""
    if form.where.data == "library":
        choice = places.resolve(form.location.data or "", form.location_slug.data or "", [c.id for c in commissions])
        location = choice.location
        if location is None:
            if choice.candidates:
                form.location.errors.append(_("Several places match “%(text)s”: %(names)s. Pick one from the list.",
                                              text=(form.location.data or "").strip()[:60],
                                              names="; ".join(places.label(c) for c in choice.candidates)))
            else:
                form.location.errors.append(_("No published library location is called “%(text)s”.",
                                              text=(form.location.data or "").strip()[:60]) if form.location.data
                                            else _("Choose a published location from the library."))
            return None
        form.location_slug.data = location.slug
        town = location.municipality or nearest_municipality(location.lat, location.lon)
        return {"location": location, "lat": location.lat, "lon": location.lon, "address": location.address,
                "precision": location.position_precision, "municipality": town, "prefecture": location.prefecture}
    if form.where.data == "point":
        if form.lat.data is None or form.lon.data is None:
            form.lat.errors.append(_("Click the map or give both latitude and longitude."))
            return None
        lat, lon, address, precision = float(form.lat.data), float(form.lon.data), None, "exact"
    else:
        query = (form.address.data or "").strip()
        # The library's geocoder: the town block first, and English words only as a whole place name in the
        # production's FC prefectures ("China" is not 知名町).
        areas = {c.prefecture.code for c in commissions if c.prefecture is not None}
        found = towns.locate(query[:200], areas) if query else None
        if found is None:
            form.address.errors.append(_("No place called “%(place)s” was found.", place=query[:60]) if query
                                       else _("Give an address or place name."))
            return None
        lat, lon, address = found.lat, found.lon, query
        precision = towns.PRECISION.get(found.kind, "municipality") if found.approximate else "exact"
    town = nearest_municipality(lat, lon)
    if town is None:
        (form.lat if form.where.data == "point" else form.address).errors.append(_("This point is not in Japan."))
        return None
    return {"location": None, "lat": lat, "lon": lon, "address": address, "precision": precision,
            "municipality": town, "prefecture": town.prefecture}


def _dates_ok(form: ShootForm) -> bool:
    start, end = form.start_date.data, form.end_date.data
    if not 2000 <= start.year <= 2099:
        form.start_date.errors.append(_("Give a date between 2000 and 2099."))
    elif end < start:
        form.end_date.errors.append(_("The last shooting day is before the first."))
    elif (end - start).days + 1 > MAX_SHOOT_DAYS:
        form.end_date.errors.append(_("A shoot lasts at most %(n)d days; split longer ones.", n=MAX_SHOOT_DAYS))
    return not (form.start_date.errors or form.end_date.errors)


def _shoot_snapshot(shoot: Shoot) -> dict:
    shown = audit.snapshot(shoot, SHOOT_FIELDS)
    shown["activities"] = sorted(a.code for a in shoot.activities)
    return shown


def _save_shoot(production: Production, shoot: Shoot | None, form: ShootForm):
    place = _place(form, list(production.commissions)) if _dates_ok(form) else None
    if place is None:
        return None
    is_new = shoot is None
    before = {} if is_new else _shoot_snapshot(shoot)
    # Filling in a new shoot must not flush it half-made (the activity query would autoflush).
    with db.session.no_autoflush:
        shoot = shoot or Shoot(production=production)
        shoot.name = form.name.data.strip()
        shoot.location, shoot.address = place["location"], place["address"]
        shoot.lat, shoot.lon, shoot.position_precision = place["lat"], place["lon"], place["precision"]
        shoot.municipality, shoot.prefecture = place["municipality"], place["prefecture"]
        for name in ("start_date", "end_date", "start_time", "end_time", "crew_size"):
            setattr(shoot, name, getattr(form, name).data)
        shoot.notes = (form.notes.data or "").strip() or None
        codes = form.activities.data or []
        shoot.activities = list(db.session.scalars(
            select(Activity).where(Activity.code.in_(codes)).order_by(Activity.code))) if codes else []
    db.session.add(shoot)
    db.session.flush()
    changes = audit.diff(before, _shoot_snapshot(shoot))
    if changes:
        audit.record("create" if is_new else "update", shoot, changes=changes)
    rules = rulebook.cached_rules(db.session)
    result = cases.sync_steps(shoot, rules, today_jst(), lambda step: url_for(
        "cases.step", production_id=production.id, step_id=step.id),
        shoot_changed=not is_new and bool(set(changes) - {"name", "notes"}), actor=current_user._get_current_object())
    db.session.commit()
    for warning in result.warnings[data_language()]:
        flash(warning)
    flash(_("Shoot saved: %(new)d new permit steps, %(removed)d removed, %(kept)d already under way kept.",
            new=len(result.created), removed=len(result.removed), kept=len(result.kept)))
    return redirect(url_for("cases.production", production_id=production.id, _anchor=f"shoot-{shoot.id}"))


@bp.route("/productions/<id:production_id>/shoots/<id:shoot_id>/answers", methods=["POST"])
@producers_only
def shoot_answers(production_id: int, shoot_id: int):
    """The producer's answers to the planner's questions: stored with the shoot, and the steps follow."""
    production = owned_production(production_id)
    shoot = fetch(Shoot, shoot_id)
    if shoot is None or shoot.production_id != production.id:
        abort(404)
    rules = rulebook.cached_rules(db.session)
    answers = clean_answers({k[2:]: v for k, v in request.form.items() if k.startswith("q_")}, rules.questions)
    if cases.set_answers(shoot, answers):
        result = cases.sync_steps(shoot, rules, today_jst(), lambda step: url_for(
            "cases.step", production_id=production.id, step_id=step.id), shoot_changed=True)
        db.session.commit()
        flash(_("Answers saved: %(new)d new permit steps, %(removed)d removed, %(kept)d already under way kept.",
                new=len(result.created), removed=len(result.removed), kept=len(result.kept)))
    else:
        flash(_("Nothing changed."))
    return redirect(url_for("cases.production", production_id=production.id, _anchor=f"shoot-{shoot.id}"))


def _pick_map(production: Production, shoot: Shoot | None) -> maps.MapParts:
    """A small map to click the shoot's point on (static/js/pick_point.js fills latitude and longitude).

    Its only layers are the base outlines, which take no clicks, so a click always picks a point. A new
    shoot's map opens on the production's first film commission, where the municipal outlines show."""
    if shoot is not None:
        return maps.build_map([], center=(shoot.lat, shoot.lon), zoom=13)
    fc = next((c for c in production.commissions if c.lat is not None and c.lon is not None), None)
    return maps.build_map([], center=(fc.lat, fc.lon), zoom=10) if fc is not None else maps.build_map([])


@bp.route("/productions/<id:production_id>/shoots/new", methods=["GET", "POST"])
@producers_only
def new_shoot(production_id: int):
    production = owned_production(production_id)
    form = _shoot_form(None)
    if form.validate_on_submit():
        done = _save_shoot(production, None, form)
        if done is not None:
            return done
    return _form_page(form, production, None)


@bp.route("/productions/<id:production_id>/shoots/<id:shoot_id>/edit", methods=["GET", "POST"])
@producers_only
def edit_shoot(production_id: int, shoot_id: int):
    production, shoot = _own_shoot(production_id, shoot_id)
    if shoot.withdrawn_at is not None:
        flash(_("This shoot was withdrawn; add a new shoot instead."))
        return redirect(url_for("cases.production", production_id=production.id, _anchor=f"shoot-{shoot.id}"))
    form = _shoot_form(shoot)
    if form.validate_on_submit():
        done = _save_shoot(production, shoot, form)
        if done is not None:
            return done
    return _form_page(form, production, shoot)


def _form_page(form: ShootForm, production: Production, shoot: Shoot | None):
    # Suggestions for the library field: the published locations of the production's film commissions.
    fc_ids = [fc.id for fc in production.commissions]
    suggestions = db.session.scalars(select(Location).where(
        Location.commission_id.in_(fc_ids), Location.status == "published", Location.hidden_stale.is_(False))
        .options(selectinload(Location.municipality)).order_by(Location.name_ja).limit(1000)).all() if fc_ids else []
    return render_template("cases/shoot_form.html", form=form, production=production, shoot=shoot,
                           library=_library_choice(form), suggestions=[(loc, places.label(loc)) for loc in suggestions],
                           fmap=_pick_map(production, shoot), place_label=places.label), \
        (400 if form.errors else 200)


def _library_choice(form: ShootForm) -> Location | None:
    slug = (form.location_slug.data or "").strip()
    return db.session.scalar(select(Location).where(Location.slug == slug, *places.visible())) if slug else None


def _own_shoot(production_id: int, shoot_id: int) -> tuple[Production, Shoot]:
    production = owned_production(production_id)
    shoot = fetch(Shoot, shoot_id)
    if shoot is None or shoot.production_id != production.id:
        abort(404)
    return production, shoot


def _step_link(step) -> str:
    return url_for("cases.step", production_id=step.production_id, step_id=step.id)


@bp.route("/productions/<id:production_id>/shoots/<id:shoot_id>/remove")
@producers_only
def remove_shoot(production_id: int, shoot_id: int):
    """Says what removing the shoot affects before anything happens: delete while nobody has acted on its
    steps, otherwise withdraw (the steps and decisions stay on record and everyone concerned is told)."""
    production, shoot = _own_shoot(production_id, shoot_id)
    if shoot.withdrawn_at is not None:
        return redirect(url_for("cases.production", production_id=production.id, _anchor=f"shoot-{shoot.id}"))
    form = WithdrawShootForm()
    return render_template("cases/shoot_remove.html", production=production, shoot=shoot, form=form,
                           deletable=cases.can_delete_shoot(shoot), under_way=cases.under_way,
                           status_labels=STEP_STATUS_LABELS)


@bp.route("/productions/<id:production_id>/shoots/<id:shoot_id>/withdraw", methods=["POST"])
@producers_only
def withdraw_shoot(production_id: int, shoot_id: int):
    production, shoot = _own_shoot(production_id, shoot_id)
    form = WithdrawShootForm()
    if shoot.withdrawn_at is not None or not form.validate_on_submit():
        if shoot.withdrawn_at is None:
            return render_template("cases/shoot_remove.html", production=production, shoot=shoot, form=form,
                                   deletable=cases.can_delete_shoot(shoot), under_way=cases.under_way,
                           status_labels=STEP_STATUS_LABELS), 400
        return redirect(url_for("cases.production", production_id=production.id))
    touched = cases.withdraw_shoot(shoot, current_user, form.reason.data or "", _step_link)
    db.session.commit()
    flash(_("Shoot withdrawn: %(n)d permit step(s) closed as withdrawn and kept on record; the authorities and "
            "film commission staff concerned were notified.", n=len(touched)))
    return redirect(url_for("cases.production", production_id=production.id, _anchor=f"shoot-{shoot.id}"))


@bp.route("/productions/<id:production_id>/shoots/<id:shoot_id>/delete", methods=["POST"])
@producers_only
def delete_shoot(production_id: int, shoot_id: int):
    production, shoot = _own_shoot(production_id, shoot_id)
    if not ActionForm().validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    if not cases.can_delete_shoot(shoot):
        # Someone has acted on a step (or the shoot is withdrawn): deleting would erase their record.
        flash(_("This shoot has permit steps under way, so it can only be withdrawn."))
        return redirect(url_for("cases.remove_shoot", production_id=production.id, shoot_id=shoot.id))
    audit.record("delete", shoot, changes={"name": [shoot.name, None],
                                           "steps": [[s.permit_type.code for s in shoot.steps], None]})
    cases.notify_shoot_deleted(shoot, current_user)
    for step in list(shoot.steps):
        db.session.delete(step)
    db.session.delete(shoot)
    # The steps' documents go with them (core/stored_files.py).
    db.session.commit()
    flash(_("Shoot deleted with its permit steps."))
    return redirect(url_for("cases.production", production_id=production.id))
