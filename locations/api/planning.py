"""The planning APIs: the shoot activities, a permit plan for a place and dates, and an incentive estimate.

Bodies are read here rather than by ``get_json``: a body of 1,000 nested brackets makes Python's parser raise
RecursionError, which ``silent=True`` does not catch, and no field may hold a NUL character.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date
from typing import Any, Optional

from flask import current_app, jsonify, request
from sqlalchemy import select

from ..cases.workflow import category_label
from ..core.clock import today_jst
from ..core.extensions import db
from ..core.i18n import data_language
from ..core.limits import MAX_YEN
from ..core.params import SLUG, first_nul, json_nesting
from ..core.security import limiter, rate_limits_off
from ..incentives import estimator as incentives
from ..library.models import Location
from ..permits import engine as permits
from ..permits import rulebook
from ..permits.engine import MAX_SHOOT_DAYS
from ..permits.models import Activity
from ..permits.places import clean_answers, ground_facts, place_at, place_fields
from . import bp
from .responses import bad_request

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


def _plan_place(value: Any, rules: permits.RuleBook, errors: list[str]) -> Optional[dict]:
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
                "fields": place_fields(found.municipality),
                "category": found.category.code,
                "category_label": category_label(found.category),
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
    fields = place_at(lat, lon, rules)
    if fields is None:
        errors.append("location: no Japanese municipality near these coordinates (outside Japan?)")
        return None
    return {"lat": lat, "lon": lon, "prefecture": fields["prefecture_code"], "municipality": fields["municipality_code"],
            "fields": fields, "category": None, "typical_permits": (), "slug": None}


def _plan_answers(value: Any, rules, errors: list[str]) -> dict[str, str]:
    """The producer's answers: {question code: "yes" | "no" | a number}; each bad one named with a reason."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.append("answers: must be an object of question code to answer")
        return {}
    if len(value) > 100:
        errors.append("answers: at most 100")
        return {}
    for code, answer in value.items():
        question = rules.questions.get(code)
        if question is None:
            errors.append(f"answers: unknown question {str(code)[:40]!r}")
        elif question.kind == "yes_no" and answer not in ("yes", "no"):
            errors.append(f"answers.{code}: must be \"yes\" or \"no\"")
        elif question.kind == "number" and (isinstance(answer, bool) or not isinstance(answer, (int, float))
                                            or not 0 <= answer <= 1_000_000):
            errors.append(f"answers.{code}: must be a number from 0 to 1000000")
    return clean_answers(value, rules.questions)


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
    # Fewer brackets than the limit cannot nest deeper than it: most bodies skip the scan.
    if text.count("[") + text.count("{") > MAX_JSON_DEPTH and json_nesting(text) > MAX_JSON_DEPTH:
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
    lang = body.get("lang", data_language())
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
        return bad_request(errors)
    rules = rulebook.cached_rules(db.session)
    place = _plan_place(body.get("location"), rules, errors)
    start, end = _plan_date(body, "start_date", errors), _plan_date(body, "end_date", errors)
    if start and end and end < start:
        errors.append("end_date: before start_date")
    elif start and end and (end - start).days + 1 > MAX_SHOOT_DAYS:
        errors.append(f"end_date: a plan covers at most {MAX_SHOOT_DAYS} days")
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
    answers = _plan_answers(body.get("answers"), rules, errors)
    if errors or place is None or start is None or end is None:
        return bad_request(errors)
    shoot = permits.Shoot(
        lat=place["lat"], lon=place["lon"], **place["fields"], start_date=start, end_date=end,
        activities=tuple(codes), category_code=place["category"], typical_permits=place["typical_permits"],
        category=place.get("category_label"), answers=answers, facts=ground_facts(place["lat"], place["lon"]))
    plan = permits.plan_permits(shoot, rules, today=today_jst(), lang=lang)
    payload = permits.plan_as_json(plan, lang)
    payload["location"] = {"lat": place["lat"], "lon": place["lon"], "prefecture": place["prefecture"],
                           "municipality": place["municipality"], "slug": place["slug"]}
    payload["ground"] = {key: {"answer": fact.value, "note": fact.note(lang)} for key, fact in shoot.facts.items()}
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
        return bad_request(errors)
    total, japan, countries = (_whole_number(body, name, high, errors) for name, high in INCENTIVE_FIELDS)
    if total is not None and japan is not None and japan > total:
        errors.append("japan_spend_jpy: more than total_budget_jpy")
    programs = {p.code: p for p in incentives.load_programs(db.session)}
    code = body.get("program")
    if code is None:
        program = incentives.default_program(programs.values(), today_jst())
        if program is None:
            errors.append("program: no programme is open for applications today; name a past round: "
                          + ", ".join(sorted(programs)))
    elif not isinstance(code, str):
        errors.append("program: must be a programme code (a string)")
        program = None
    else:
        program = programs.get(code)
        if program is None:
            errors.append(f"program: unknown programme {code[:60]!r}")
    if errors or program is None or total is None or japan is None or countries is None:
        return bad_request(errors)
    result = incentives.estimate(program, total, japan, countries, lang=lang)
    return jsonify(eligible=result.eligible, reasons=list(result.reasons),
                   estimated_rebate_jpy=result.estimated_rebate_jpy,
                   program=incentives.program_as_json(program, lang))
