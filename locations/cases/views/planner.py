"""The permit planner page: the rules engine for people, in both languages (the API serves programs)."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from flask import render_template, request, url_for
from flask_babel import gettext
from flask_babel import gettext as _
from sqlalchemy import select

from ...core.clock import today_jst
from ...core.extensions import db
from ...core.i18n import current_language, data_language, localized_value
from ...core.params import LATLON
from ...directory import geo
from ...library.models import Location
from ...permits import engine as permits
from ...permits import rulebook
from ...permits.places import clean_answers, ground_facts, layer_credits, place_at, place_fields, routing_labels
from .. import bp
from ..workflow import category_label


def _place(errors: list[str]):
    """(label, lat, lon, location or None) from ?slug= or ?near= (a place name, address or lat,lon)."""
    slug, near = request.args.get("slug", "").strip(), request.args.get("near", "").strip()
    if slug:
        loc = db.session.scalar(select(Location).where(
            Location.slug == slug, Location.status == "published", Location.hidden_stale.is_(False)))
        if loc is None:
            errors.append(_("That location is not published."))
            return None
        return loc.name_ja, loc.lat, loc.lon, loc
    if not near:
        errors.append(_("Say where the shoot is: a place name, an address or coordinates."))
        return None
    literal = LATLON.match(near)
    if literal:
        return near, float(literal.group(1)), float(literal.group(2)), None
    found = geo.geocode(near[:200])
    if found is None:
        errors.append(_("No place called “%(place)s” was found.", place=near[:60]))
        return None
    return found.name, found.lat, found.lon, None


def _date(name: str, errors: list[str]):
    raw = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("Give the %(which)s as a date (YYYY-MM-DD).",
                        which=_("first shooting day") if name == "start" else _("last shooting day")))
        return None


@bp.route("/plan")
def planner():
    """Which permits a shoot needs, from whom, and the latest safe day to file each."""
    rules = rulebook.cached_rules(db.session)
    lang = data_language()
    chosen = [code for code in request.args.getlist("activity") if code in rules.activities]
    answers = clean_answers({k[2:]: v for k, v in request.args.items() if k.startswith("q_")}, rules.questions)
    errors: list[str] = []
    plan = place = None
    if request.args.get("slug") and not any(request.args.get(k) for k in ("near", "start", "end", "activity")):
        # The location page's link: an empty form for that place, not errors before any input.
        place = _place(errors)
    elif any(request.args.get(k) for k in ("near", "slug", "start", "end", "activity")):
        place = _place(errors)
        start, end = _date("start", errors), _date("end", errors)
        if start and end and end < start:
            errors.append(_("The last shooting day is before the first."))
        if place and start and end and not errors:
            label, lat, lon, loc = place
            fields = place_fields(loc.municipality) if loc is not None else place_at(lat, lon, rules)
            if fields is None:
                errors.append(_("This point is not in Japan."))
            else:
                typical = tuple(loc.permit_codes) if loc is not None else ()
                shoot = permits.Shoot(lat=lat, lon=lon, **fields, start_date=start, end_date=end,
                                      activities=tuple(chosen),
                                      category_code=loc.category.code if loc is not None else None,
                                      typical_permits=typical,
                                      category=category_label(loc.category) if loc is not None else None,
                                      answers=answers, facts=ground_facts(lat, lon))
                # Reasons in the reader's language; names the records have in ja/en only come through the catalogue.
                plan = permits.plan_permits(shoot, rules, today=today_jst(), lang=current_language(),
                                            translate=gettext)
    activities = sorted(rules.activities.values(), key=lambda a: a.code)
    asked = []
    if plan is not None:
        open_ones = {q.question.code: q for q in plan.questions}
        for code in [*open_ones, *[c for c in rules.questions if c in answers and c not in open_ones]]:
            question, found = rules.questions[code], open_ones.get(code)
            decides = [localized_value(rules.permits[p].name_ja, rules.permits[p].name_en) for p in found.permits] \
                if found else []
            asked.append((question, answers.get(code, ""), found.hint if found else "", decides))
    kept = [(k, v) for k, v in request.args.items(multi=True) if not k.startswith("q_")]
    clear_url = url_for("cases.planner") + ("?" + urlencode(kept) if kept else "")
    return render_template("cases/planner.html", rules=rules, activities=activities, chosen=chosen, plan=plan,
                           place=place, errors=errors, lang=lang, answers=answers, asked=asked, clear_url=clear_url,
                           routing_labels=routing_labels(), layer_credits=layer_credits() if plan else []), \
        (400 if errors else 200)
