"""What a permit case produces for use outside the app: the application packet for one authority, the
private calendar feed, the timeline and the production map. Routes join the producer blueprint."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...core import audit, maps
from ...core.access import producers_only, signed_in
from ...core.clock import JST, as_utc, today_jst
from ...core.extensions import db
from ...core.forms import ActionForm
from ...core.i18n import current_language, data_language, localized_value
from ...directory import geo
from ...permits.models import PermitAuthority
from .. import bp
from .. import calendar as calendar_feed
from ..labels import ORIGIN_LABELS, PRODUCTION_TYPE_LABELS, STEP_STATUS_LABELS
from ..models import PermitStep, Production
from ..workflow import can_view, can_view_step, is_overdue


def case_url(production_id: int) -> str:
    return url_for("cases.production", production_id=production_id)


def step_url(production_id: int, step_id: int) -> str:
    return url_for("cases.step", production_id=production_id, step_id=step_id)


def visible_production(production_id: int) -> Production:
    """The production if the signed-in user may see its case; 404 otherwise, so ids reveal nothing."""
    production = db.session.get(Production, production_id)
    if production is None or not can_view(current_user, production):
        abort(404)
    return production


def visible_steps(production: Production) -> list[PermitStep]:
    """The steps the user may see: an authority officer only those addressed to their authority."""
    return [step for step in production.steps if can_view_step(current_user, step)]


def named(obj, field: str, lang: str) -> str:
    return localized_value(getattr(obj, f"{field}_ja", None), getattr(obj, f"{field}_en", None), lang)


def reasons(step: PermitStep, lang: str) -> list[str]:
    try:
        items = json.loads(step.reasons or "[]")
    except ValueError:
        return []
    lang = data_language(lang)
    return [item.get(lang) or item.get("ja") or "" for item in items if isinstance(item, dict)]


def shoot_pin(shoot, lang: str) -> maps.MapPin:
    when = shoot.start_date.isoformat()
    if shoot.end_date != shoot.start_date:
        when += f" – {shoot.end_date.isoformat()}"
    return maps.MapPin(shoot.lat, shoot.lon, tuple(x for x in (shoot.name, when, shoot.address) if x))


def authority_pin(authority: PermitAuthority, lang: str) -> maps.MapPin:
    approximate = _("approximate position") if authority.coords_are_estimate else None
    return maps.MapPin(authority.lat, authority.lon,
                       tuple(x for x in (named(authority, "name", lang), authority.address, approximate) if x))


def case_map(shoots, steps: list[PermitStep], lang: str) -> maps.MapParts:
    """Shoots, the authorities (with coordinates) their steps go to, and a line per (shoot, authority)."""
    pairs: dict[tuple[int, int], list[PermitStep]] = {}
    authorities: dict[int, PermitAuthority] = {}
    for step in steps:
        authority = step.authority
        if authority is None or authority.lat is None or authority.lon is None:
            continue
        authorities[authority.id] = authority
        pairs.setdefault((step.shoot_id, authority.id), []).append(step)
    shoots_by_id = {shoot.id: shoot for shoot in shoots}
    links = []
    for (shoot_id, authority_id), pair_steps in sorted(pairs.items()):
        shoot, authority = shoots_by_id.get(shoot_id), authorities[authority_id]
        if shoot is None:
            continue
        distance = geo.distance_km((shoot.lat, shoot.lon), (authority.lat, authority.lon))
        lines = (f"{shoot.name} → {named(authority, 'name', lang)}",
                 *(named(s.permit_type, "name", lang) for s in pair_steps), f"{distance:.1f} km")
        links.append(maps.MapLink((shoot.lat, shoot.lon), (authority.lat, authority.lon), lines))
    return maps.build_production_map([shoot_pin(s, lang) for s in shoots],
                                     [authority_pin(a, lang) for a in authorities.values()], links)


@bp.route("/productions/<id:production_id>/packet/<id:authority_id>")
@signed_in
def packet(production_id: int, authority_id: int):
    production = visible_production(production_id)
    authority = db.get_or_404(PermitAuthority, authority_id)
    steps = [s for s in visible_steps(production) if s.authority_id == authority.id]
    if not steps:
        abort(404)
    lang = current_language()
    shoots = [shoot for shoot in production.shoots if any(s.shoot_id == shoot.id for s in steps)]
    by_shoot = {shoot.id: [s for s in steps if s.shoot_id == shoot.id] for shoot in shoots}
    fmap = case_map(shoots, steps, lang)
    return render_template("cases/packet.html", production=production, authority=authority, shoots=shoots,
                           by_shoot=by_shoot, fmap=fmap, lang=lang, reasons=reasons, named=named,
                           case_url=case_url(production.id), today=today_jst(),
                           status_labels=STEP_STATUS_LABELS, type_labels=PRODUCTION_TYPE_LABELS,
                           origin_labels=ORIGIN_LABELS)


@bp.route("/calendar/<token>.ics")
def calendar(token: str):
    """The private feed: the token is the secret, so there is no sign-in (calendar apps cannot sign in)."""
    production = db.session.scalar(select(Production).where(Production.calendar_token == token)) if token else None
    if production is None:
        abort(404)
    lang = request.args.get("lang")
    lang = lang if lang in current_app.config["LANGUAGES"] else "ja"
    link = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + case_url(production.id)
    body = calendar_feed.build_calendar(production, lang, link)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="production-{production.id}.ics"'
    # The URL is a secret: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/productions/<id:production_id>/calendar/rotate", methods=["POST"])
@producers_only
def rotate_calendar(production_id: int):
    """A new feed URL for the owner; the old one stops working (e.g. after it was shared by mistake)."""
    production = db.session.get(Production, production_id)
    if production is None or production.owner_id != current_user.id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    production.calendar_token = calendar_feed.new_calendar_token()
    audit.record("update", production, detail="calendar link replaced")
    db.session.commit()
    flash(_("A new calendar link was made; the old link no longer works."))
    return redirect(url_for("cases.timeline", production_id=production.id))


@dataclass(frozen=True)
class TimelineEntry:
    day: date
    kind: str  # shoot | deadline | status | note | today
    text: str
    detail: str = ""
    overdue: bool = False
    link: Optional[str] = None
    order: int = 0


def _local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(JST).date()


def timeline_entries(production: Production, steps: list[PermitStep], on: date, lang: str) -> list[TimelineEntry]:
    """Shoot days, filing deadlines, status changes and notes in date order, with a marker for the day ``on``."""
    entries = [TimelineEntry(on, "today", _("Today"), order=-1)]
    for shoot in production.shoots:
        detail = shoot.start_date.isoformat() if shoot.days == 1 else _(
            "%(start)s to %(end)s (%(days)d days)", start=shoot.start_date.isoformat(),
            end=shoot.end_date.isoformat(), days=shoot.days)
        entries.append(TimelineEntry(shoot.start_date, "shoot", _("Shoot: %(name)s", name=shoot.name), detail,
                                     order=0))
    for step in steps:
        permit = named(step.permit_type, "name", lang)
        authority = named(step.authority, "name", lang) if step.authority else _("the film commission")
        link = step_url(production.id, step.id)
        entries.append(TimelineEntry(
            step.due_date, "deadline", _("File: %(permit)s → %(authority)s", permit=permit, authority=authority),
            _("%(shoot)s · %(status)s", shoot=step.shoot.name, status=STEP_STATUS_LABELS.get(step.status, step.status)),
            overdue=is_overdue(step, on), link=link, order=1))
        for note in step.notes:
            who = note.author.display_name if note.author else _("system")
            if note.to_status:
                text = _("%(permit)s: %(from)s → %(to)s", permit=permit,
                         **{"from": STEP_STATUS_LABELS.get(note.from_status or "", note.from_status or "—"),
                            "to": STEP_STATUS_LABELS.get(note.to_status, note.to_status)})
                kind = "status"
            else:
                text = _("%(permit)s: note by %(who)s", permit=permit, who=who)
                kind = "note"
            detail = f"{who}: {note.body}" if note.to_status and note.body else (note.body or "")
            entries.append(TimelineEntry(_local_day(note.created_at), kind, text, detail, link=link,
                                         order=2 + note.id))
    return sorted(entries, key=lambda e: (e.day, e.order))


@bp.route("/productions/<id:production_id>/timeline")
@signed_in
def timeline(production_id: int):
    production = visible_production(production_id)
    lang = current_language()
    steps = visible_steps(production)
    authorities = {s.authority.id: s.authority for s in steps if s.authority is not None}
    feed = feed_url = None
    if current_user.role == "producer" and production.owner_id == current_user.id:
        feed = url_for("cases.calendar", token=production.calendar_token, lang=lang)
        # Calendar apps need the full address; PUBLIC_BASE_URL is the one the public reaches.
        feed_url = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/") + feed
    return render_template("cases/timeline.html", production=production, lang=lang,
                           entries=timeline_entries(production, steps, today_jst(), lang),
                           case_url=case_url(production.id),
                           authorities=sorted(authorities.values(), key=lambda a: named(a, "name", lang)),
                           named=named, feed=feed, feed_url=feed_url, action=ActionForm())


@bp.route("/productions/<id:production_id>/map")
@signed_in
def production_map(production_id: int):
    production = visible_production(production_id)
    lang = current_language()
    steps = visible_steps(production)
    fmap = case_map(production.shoots, steps, lang)
    rows = []
    for shoot in production.shoots:
        grouped: dict[Optional[int], list[PermitStep]] = {}
        for step in steps:
            if step.shoot_id == shoot.id:
                grouped.setdefault(step.authority_id, []).append(step)
        rows.extend((shoot, steps[0].authority, steps) for steps in grouped.values())
    return render_template("cases/production_map.html", production=production, fmap=fmap, lang=lang,
                           case_url=case_url(production.id), named=named, rows=rows)
