"""Productions: the list, a production's case page with its steps and checklist, creating and editing one (FC
staff and authority officers concerned see the case too, each acting as their role allows)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from ...accounts.access import verified_email_required
from ...core import audit
from ...core.access import case_actors_only, producers_only, signed_in
from ...core.clock import now, today_jst
from ...core.editing import conflict_page
from ...core.extensions import db
from ...core.forms import choices
from ...core.i18n import localized
from ...directory.models import FilmCommission
from ...permits.models import GuidelineStep
from .. import bp
from .. import calendar as calendar_feed
from .. import workflow as cases
from ..forms import ProductionForm, TickForm
from ..labels import ORIGIN_LABELS, PRODUCTION_TYPE_LABELS
from ..labels import STEP_STATUS_LABELS as STATUS_LABELS
from ..models import Production
from . import fetch, owned_production, viewable_production

PRODUCTION_FIELDS = ("title", "company", "contact_name", "contact_email", "contact_phone", "origin",
                     "origin_country", "production_type", "languages", "notes")


@bp.route("/productions/")
@signed_in
def productions():
    rows = db.session.scalars(cases.viewable_productions(current_user)
                              .options(selectinload(Production.steps), selectinload(Production.shoots))
                              .order_by(Production.updated_at.desc(), Production.id.desc()).limit(200)).all()
    # An officer counts only the steps addressed to their authority.
    open_steps = {p.id: sorted((s for s in p.steps if s.status not in cases.CLOSED
                                and cases.can_view_step(current_user, s)), key=lambda s: (s.due_date, s.id))
                  for p in rows}
    return render_template("cases/productions.html", rows=rows, type_labels=PRODUCTION_TYPE_LABELS,
                           today=today_jst(), open_steps=open_steps)


def _production_form(production: Production | None) -> ProductionForm:
    form = ProductionForm(obj=production)
    fcs = db.session.scalars(select(FilmCommission).order_by(FilmCommission.prefecture_id, FilmCommission.name_ja))
    form.commissions.choices = choices((str(fc.id), localized(fc, "name")) for fc in fcs)
    if request.method == "GET":
        form.version.data = str(production.version) if production else "0"
        form.commissions.data = [str(fc.id) for fc in production.commissions] if production else []
    return form


def _production_values(form: ProductionForm) -> dict | None:
    values = {name: (getattr(form, name).data or "").strip() or None for name in PRODUCTION_FIELDS}
    if values["origin"] != "domestic" and not values["origin_country"]:
        form.origin_country.errors.append(_("Say which country the production comes from."))
        return None
    if values["origin"] == "domestic":
        values["origin_country"] = None
    wanted = {int(i) for i in form.commissions.data or []}
    values["commissions"] = list(db.session.scalars(select(FilmCommission).where(FilmCommission.id.in_(wanted))
                                                    .order_by(FilmCommission.name_ja))) if wanted else []
    return values


def _snapshot(production: Production) -> dict:
    shown = audit.snapshot(production, PRODUCTION_FIELDS)
    shown["commissions"] = [fc.slug for fc in production.commissions]
    return shown


def _apply(production: Production, values: dict) -> dict:
    before = {} if production.id is None else _snapshot(production)
    for name in PRODUCTION_FIELDS:
        setattr(production, name, values[name])
    production.commissions = values["commissions"]
    changes = audit.diff(before, _snapshot(production))
    if changes and production.id is not None:
        # Changing only the FCs writes no production column; touching one makes it a versioned update.
        production.updated_at = now()
    return changes


@bp.route("/productions/new", methods=["GET", "POST"])
@producers_only
@verified_email_required
def new_production():
    form = _production_form(None)
    if form.validate_on_submit():
        values = _production_values(form)
        if values is not None:
            production = Production(owner_id=current_user.id, calendar_token=calendar_feed.new_calendar_token())
            changes = _apply(production, values)
            db.session.add(production)
            db.session.flush()
            audit.record("create", production, changes=changes)
            db.session.commit()
            flash(_("Production created. Add its shoots to see the permits they need."))
            # Coming from a library location ("shoot here"): go straight on to the shoot there.
            slug = request.args.get("location", "").strip()[:120]
            if slug:
                return redirect(url_for("cases.new_shoot", production_id=production.id, location=slug))
            return redirect(url_for("cases.production", production_id=production.id))
    return render_template("cases/production_form.html", form=form, production=None), (400 if form.errors else 200)


@bp.route("/productions/<id:production_id>/edit", methods=["GET", "POST"])
@producers_only
def edit_production(production_id: int):
    production = owned_production(production_id)
    form = _production_form(production)
    if form.validate_on_submit():
        values = _production_values(form)
        if values is not None:
            retry = url_for("cases.edit_production", production_id=production.id)
            if int(form.version.data) != production.version:
                return _production_conflict(production, form, values, retry)
            try:
                changes = _apply(production, values)
                if changes:
                    audit.record("update", production, changes=changes)
                db.session.flush()
                db.session.commit()
            except StaleDataError:
                db.session.rollback()
                return _production_conflict(production, form, values, retry)
            flash(_("Saved."))
            return redirect(url_for("cases.production", production_id=production.id))
    return render_template("cases/production_form.html", form=form, production=production), \
        (400 if form.errors else 200)


def _production_conflict(production: Production, form: ProductionForm, values: dict, retry: str):
    db.session.rollback()
    db.session.refresh(production)
    saved = _snapshot(production)
    mine = {name: values[name] for name in PRODUCTION_FIELDS}
    mine["commissions"] = [fc.slug for fc in values["commissions"]]
    return conflict_page([(form[name].label.text, saved.get(name), mine.get(name))
                          for name in (*PRODUCTION_FIELDS, "commissions")], retry)


@bp.route("/productions/<id:production_id>")
@signed_in
def production(production_id: int):
    production = viewable_production(production_id)
    shown_steps = {shoot.id: [s for s in shoot.steps if cases.can_view_step(current_user, s)]
                   for shoot in production.shoots}
    for steps in shown_steps.values():
        steps.sort(key=lambda s: (s.due_date, s.id))
    guideline = list(db.session.scalars(select(GuidelineStep).order_by(GuidelineStep.phase_order,
                                                                       GuidelineStep.id)))
    phases: dict[str, dict] = {}
    for g in guideline:
        phases.setdefault(g.phase, {"order": g.phase_order, "cells": {}})["cells"][g.actor] = g
    ticked = {t.guideline_step_id: t for t in production.checklist}
    packet_authorities = list({s.authority.id: s.authority for steps in shown_steps.values() for s in steps
                               if s.authority is not None}.values())
    tickable = {g.id for g in guideline if cases.can_tick(current_user, production, g.actor, g.has_role)}
    is_owner = production.owner_id == current_user.id
    questions = shoot_questions(production.shoots) if is_owner else {}
    return render_template("cases/production.html", production=production, shown_steps=shown_steps,
                           questions=questions,
                           phases=sorted(phases.items(), key=lambda item: item[1]["order"]),
                           actors=GuidelineStep.ACTORS, ticked=ticked, tickable=tickable, today=today_jst(),
                           cases=cases, type_labels=PRODUCTION_TYPE_LABELS, origin_labels=ORIGIN_LABELS,
                           status_labels=STATUS_LABELS, packet_authorities=packet_authorities,
                           is_owner=is_owner)


def shoot_questions(shoots) -> dict[int, list]:
    """Per shoot, the questions that decide its conditional permits, with the producer's answer so far."""
    from ...permits import rulebook
    from ...permits.engine import rule_questions

    if not shoots:
        return {}
    rules = rulebook.cached_rules(db.session)
    found = {}
    for shoot in shoots:
        codes = [q for a in shoot.activities for link in rules.links.get(a.code, ()) if link.rule
                 for q in rule_questions(link.rule)]
        answers = cases.shoot_answers(shoot)
        found[shoot.id] = [(rules.questions[c], answers.get(c, "")) for c in dict.fromkeys(codes)
                           if c in rules.questions]
    return found


@bp.route("/productions/<id:production_id>/checklist/<id:guideline_step_id>", methods=["POST"])
@case_actors_only
def tick(production_id: int, guideline_step_id: int):
    production = viewable_production(production_id)
    cell = fetch(GuidelineStep, guideline_step_id)
    if cell is None:
        abort(404)
    if not cases.can_tick(current_user, production, cell.actor, cell.has_role):
        abort(403)
    form = TickForm()
    if not form.validate_on_submit():
        abort(400, description=_("The form expired; please try again."))
    if cases.toggle_tick(production, cell, current_user, form.done.data == "1"):
        db.session.commit()
    return redirect(url_for("cases.production", production_id=production.id, _anchor="checklist"))

