"""Seed the permit reference data: authority kinds, activities, permit types and their triggers, authorities
and the guideline's steps."""
from __future__ import annotations

import os

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..core.extensions import db
from ..core.seeding import Loader, SeedError, read_csv
from ..directory.models import Municipality, Prefecture
from .engine import parse_rule
from .models import Activity, ActivityPermit, AuthorityKind, GuidelineStep, PermitAuthority, PermitQuestion, PermitType

FACT_KEYS = ("did", "airport", "national_park", "cultural")

PHASES = ("planning", "scouting", "pre_consultation", "application", "community", "shooting", "wrap", "release")


def load_authority_kinds(loader: Loader) -> None:
    path, existing = loader.path("authority_kinds.csv"), loader.existing(AuthorityKind, "code")
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "name_ja", "name_en", "source")
        loader.upsert(AuthorityKind, row["code"], {k: row[k] for k in ("code", "name_ja", "name_en", "source")}, existing)
    db.session.flush()


def load_activities(loader: Loader) -> None:
    path, existing = loader.path("activities.csv"), loader.existing(Activity, "code")
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "name_ja", "name_en", "source")
        loader.upsert(Activity, row["code"], {
            "code": row["code"], "name_ja": row["name_ja"], "name_en": row["name_en"],
            "description_ja": row["description_ja"] or None, "description_en": row["description_en"] or None,
            "source": row["source"],
        }, existing)
    db.session.flush()


def load_permit_types(loader: Loader) -> None:
    path, existing = loader.path("permit_types.csv"), loader.existing(PermitType, "code")
    kinds = loader.existing(AuthorityKind, "code")
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "name_ja", "name_en", "authority_kind",
                      "legal_basis", "typical_lead_days", "source")
        if row["authority_kind"] not in kinds:
            raise SeedError(path, line, f"unknown authority kind {row['authority_kind']!r}")
        if not row["typical_lead_days"].isdigit():
            raise SeedError(path, line, f"lead days {row['typical_lead_days']!r} is not a whole number")
        loader.upsert(PermitType, row["code"], {
            "code": row["code"], "name_ja": row["name_ja"], "name_en": row["name_en"],
            "authority_kind_id": kinds[row["authority_kind"]].id, "legal_basis": row["legal_basis"],
            "lead_business_days": int(row["typical_lead_days"]), "triggers_en": row["triggers"],
            "documents_ja": row["documents"], "source": row["source"],
            "is_estimate": "estimate" in row["source"].lower(),
        }, existing)
    db.session.flush()


def load_questions(loader: Loader) -> None:
    path, existing = loader.path("permit_questions.csv"), loader.existing(PermitQuestion, "code")
    for order, (line, row) in enumerate(read_csv(path), start=1):
        loader.required(path, line, row, "code", "kind", "text_ja", "text_en", "source")
        if row["kind"] not in PermitQuestion.KINDS:
            raise SeedError(path, line, f"kind must be one of {', '.join(PermitQuestion.KINDS)}")
        if row["answered_by"] and row["answered_by"] not in FACT_KEYS:
            raise SeedError(path, line, f"answered_by must be empty or one of {', '.join(FACT_KEYS)}")
        loader.upsert(PermitQuestion, row["code"], {
            "code": row["code"], "kind": row["kind"], "text_ja": row["text_ja"], "text_en": row["text_en"],
            "unit": row["unit"] or None, "answered_by": row["answered_by"] or None, "sort_order": order,
            "source": row["source"],
        }, existing)
    db.session.flush()


def load_activity_permits(loader: Loader) -> None:
    path = loader.path("activity_permits.csv")
    questions = loader.existing(PermitQuestion, "code")
    activities, types = loader.existing(Activity, "code"), loader.existing(PermitType, "code")
    existing = {(link.activity_id, link.permit_type_id): link for link in db.session.scalars(select(ActivityPermit))}
    for line, row in read_csv(path):
        loader.required(path, line, row, "activity_code", "permit_code", "source")
        activity, ptype = activities.get(row["activity_code"]), types.get(row["permit_code"])
        if activity is None or ptype is None:
            missing = row["activity_code"] if activity is None else row["permit_code"]
            raise SeedError(path, line, f"unknown activity or permit code {missing!r}")
        rule = (row.get("rule") or "").strip()
        if rule:
            try:
                tests = [t for alternative in parse_rule(rule) for t in alternative]
            except ValueError as error:
                raise SeedError(path, line, f"rule: {error}") from None
            for test in tests:
                question = questions.get(test.question)
                if question is None:
                    raise SeedError(path, line, f"rule: unknown question {test.question!r}")
                if (question.kind == "yes_no") != (test.op in ("yes", "no")):
                    raise SeedError(path, line, f"rule: {test.question!r} is a {question.kind} question")
        loader.upsert(ActivityPermit, (activity.id, ptype.id), {
            "activity_id": activity.id, "permit_type_id": ptype.id,
            "condition_ja": row["condition_ja"] or None, "condition_en": row["condition_en"] or None,
            "rule": rule or None, "source": row["source"],
        }, existing)
    db.session.flush()


def load_authorities(loader: Loader) -> None:
    """The sourced authorities, then the candidate offices from OpenStreetMap (authorities_osm.csv, ODbL): a
    separate, replaceable layer, every row marked a candidate (its area is not on record). Records edited in
    the app (layer "app") are left as they are."""
    existing = loader.existing(PermitAuthority, "code", selectinload(PermitAuthority.prefectures),
                               selectinload(PermitAuthority.served))
    _load_authority_file(loader, "authorities.csv", "seed", existing)
    if os.path.exists(loader.path("authorities_osm.csv")):
        _load_authority_file(loader, "authorities_osm.csv", "osm", existing)


def _load_authority_file(loader: Loader, name: str, layer: str, existing: dict) -> None:
    path = loader.path(name)
    kinds, prefectures = loader.existing(AuthorityKind, "code"), loader.existing(Prefecture, "code")
    municipalities = loader.existing(Municipality, "code")
    for line, row in read_csv(path):
        loader.required(path, line, row, "code", "kind", "name_ja", "prefecture_codes", "source")
        if row["kind"] not in kinds:
            raise SeedError(path, line, f"unknown authority kind {row['kind']!r}")
        prefs = []
        for code in row["prefecture_codes"].split(";"):
            if code not in prefectures:
                raise SeedError(path, line, f"unknown prefecture code {code!r}")
            prefs.append(prefectures[code])
        municipality = None
        if row["municipality_code"]:
            municipality = municipalities.get(row["municipality_code"])
            if municipality is None:
                raise SeedError(path, line, f"unknown municipality code {row['municipality_code']!r}")
        lat = lon = None
        if row["lat"] or row["lon"]:
            lat, lon = loader.coordinate(path, line, row["lat"], row["lon"])
        jurisdiction = row.get("jurisdiction") or "unknown"
        if jurisdiction not in PermitAuthority.JURISDICTIONS:
            raise SeedError(path, line, f"jurisdiction must be one of {', '.join(PermitAuthority.JURISDICTIONS)}")
        served = []
        for code in filter(None, (row.get("served_municipalities") or "").split(";")):
            if code not in municipalities:
                raise SeedError(path, line, f"unknown served municipality code {code!r}")
            served.append(municipalities[code])
        if (jurisdiction == "municipalities") != bool(served):
            raise SeedError(path, line, "list served_municipalities exactly when the jurisdiction is 'municipalities'")
        kept = existing.get(row["code"])
        if kept is not None and kept.layer == "app":
            # Edited in the app (its edit page or the admin import): that record wins over the file.
            loader.report.tally(PermitAuthority.__tablename__, "unchanged")
            continue
        parent = None
        if row.get("parent_code"):
            parent = existing.get(row["parent_code"])
            if parent is None:
                raise SeedError(path, line, f"parent {row['parent_code']!r} must come earlier in the file")
        loader.upsert(PermitAuthority, row["code"], {
            "code": row["code"], "kind_id": kinds[row["kind"]].id, "name_ja": row["name_ja"],
            "name_en": row["name_en"] or None, "municipality_id": municipality.id if municipality else None,
            "address": row["address"] or None, "lat": lat, "lon": lon, "phone": row["phone"] or None,
            "website": row["website"] or None, "source": row["source"],
            "coords_are_estimate": loader.flag(path, line, row["coords_are_estimate"], "coords_are_estimate"),
            "is_estimate": loader.flag(path, line, row["is_estimate"], "is_estimate"),
            "prefectures": sorted(prefs, key=lambda p: p.code),
            "jurisdiction": jurisdiction, "served": served, "parent": parent,
            "takes_applications": loader.flag(path, line, row.get("takes_applications") or "1", "takes_applications"),
            "layer": layer, "is_candidate": layer == "osm",
        }, existing)
    db.session.flush()


def load_guideline_steps(loader: Loader) -> None:
    path = loader.path("guideline_steps.csv")
    existing = {(s.phase, s.actor): s for s in db.session.scalars(select(GuidelineStep))}
    for line, row in read_csv(path):
        loader.required(path, line, row, "order", "phase", "actor", "title_ja", "title_en",
                      "description_ja", "description_en", "source")
        if row["phase"] not in PHASES or str(PHASES.index(row["phase"]) + 1) != row["order"]:
            raise SeedError(path, line, f"phase {row['phase']!r} does not match order {row['order']!r}")
        if row["actor"] not in GuidelineStep.ACTORS:
            raise SeedError(path, line, f"actor must be one of {', '.join(GuidelineStep.ACTORS)}")
        loader.upsert(GuidelineStep, (row["phase"], row["actor"]), {
            "phase": row["phase"], "phase_order": int(row["order"]), "actor": row["actor"],
            "title_ja": row["title_ja"], "title_en": row["title_en"],
            "description_ja": row["description_ja"], "description_en": row["description_en"],
            "has_role": loader.flag(path, line, row["has_role"], "has_role"), "source": row["source"],
            "is_estimate": loader.flag(path, line, row["is_estimate"], "is_estimate"),
        }, existing)
    db.session.flush()
