"""The place part of an engine Shoot, from a directory municipality: codes, names and a ward's city."""
from __future__ import annotations

from typing import Any, Optional

from .engine import town_place


def place_fields(municipality: Optional[Any]) -> dict[str, Any]:
    """Keyword arguments for ``engine.Shoot`` (municipality and prefecture codes and names)."""
    if municipality is None:
        return {"prefecture_code": None, "municipality_code": None}
    prefecture = municipality.prefecture
    return town_place(municipality.code, municipality.name_ja, municipality.name_romaji, municipality.is_ward,
                      prefecture.code, prefecture.name_ja, prefecture.name_en)


def place_at(lat: float, lon: float, rules) -> Optional[dict[str, Any]]:
    """``place_fields`` for the municipality whose boundary holds the point, from the rule book's copy (no row
    read); off every boundary, or for a code the directory lacks, the one whose office is closest; None when
    no municipality is near (outside Japan)."""
    from ..directory import boundaries
    from ..directory.geo import nearest_municipality

    inside = boundaries.place(lat, lon)
    fields = rules.towns.get(inside.code) if inside is not None else None
    if fields is not None:
        return dict(fields)
    town = nearest_municipality(lat, lon)
    return place_fields(town) if town is not None else None


def ground_facts(lat: float, lon: float) -> dict:
    """What the spatial layers say at the point, keyed as the questions' ``answered_by``."""
    from . import spatial

    return spatial.facts_at(spatial.app_layers(), lat, lon)


def clean_answers(raw: dict, questions: dict) -> dict[str, str]:
    """Only answers to known questions, in their form: "yes"/"no", or a number 0–1,000,000 as text."""
    answers: dict[str, str] = {}
    for code, value in raw.items():
        question = questions.get(code)
        if question is None or value is None:
            continue
        value = str(value).strip().lower()
        if question.kind == "yes_no" and value in ("yes", "no"):
            answers[code] = value
        elif question.kind == "number" and value:
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                continue
            if 0 <= number <= 1_000_000:
                answers[code] = f"{number:g}"
    return answers


def routing_labels() -> dict[str, str]:
    """How sure the routing is, per rung, in the reader's language."""
    from flask_babel import gettext as _

    return {
        "jurisdiction": _("Confirmed jurisdiction"),
        "same_municipality": _("Office in the same municipality"),
        "nearest_candidate": _("Nearest office of this kind: confirm it covers the place"),
        "parent": _("Parent body: apply at the local office"),
        "film_commission": _("Film commission: they know the local office"),
    }


def layer_credits() -> list[str]:
    from . import spatial

    return spatial.app_layers().credits
