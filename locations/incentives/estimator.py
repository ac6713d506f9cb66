"""Incentive estimator: a production's budget, Japan spend and release reach in; whether a programme's
eligibility thresholds are met and the rebate it could pay out. Pure functions over frozen dataclasses;
``load_programs`` at the bottom is the only part that reads the database.

Thresholds are compared as each programme's own text words them: strict ("Japan direct costs > ¥500m",
the 2020–2024 rounds) or inclusive ("5億円以上", the 2025 round: ``thresholds_inclusive``).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from functools import lru_cache
from typing import Callable, Iterable, Literal, Optional

from babel.support import Translations

Lang = Literal["en", "ja"]

TRANSLATIONS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "translations")
MAX_RELEASE_COUNTRIES = 250  # ISO 3166 lists 249 countries and territories


@dataclass(frozen=True)
class Program:
    code: str
    name_ja: str
    name_en: str
    valid_from: date
    valid_to: Optional[date]  # None: current
    rate: Decimal  # share of qualifying Japan spend
    cap_jpy: Optional[int]  # None: the source gives no cap
    min_japan_spend_alone_jpy: Optional[int] = None
    min_total_budget_jpy: Optional[int] = None
    min_japan_spend_with_total_jpy: Optional[int] = None
    min_release_countries: Optional[int] = None
    min_japan_spend_with_release_jpy: Optional[int] = None
    is_estimate: bool = False
    source: str = ""
    thresholds_inclusive: bool = False  # "以上" (at least) rather than "more than"

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    def is_open(self, today: date) -> bool:
        """Applications can be made on ``today`` (the end date is the last day of the application window)."""
        return self.valid_from <= today and (self.valid_to is None or today <= self.valid_to)

    def meets(self, value: int, limit: int) -> bool:
        return value >= limit if self.thresholds_inclusive else value > limit


@dataclass(frozen=True)
class Estimate:
    eligible: bool
    reasons: tuple[str, ...]
    estimated_rebate_jpy: int
    capped: bool = False


# Yen as each language writes it (Chinese and Korean readers see 日元 / 日圓 / 엔, never a bare ¥ that also means yuan).
_YEN = {"en": "¥{:,}", "ja": "{:,}円", "zh_Hans": "{:,}日元", "zh_Hant": "{:,}日圓", "ko": "{:,}엔"}


def _yen(amount: int, lang: str) -> str:
    return _YEN.get(lang, _YEN["en"]).format(amount)


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


@lru_cache(maxsize=8)
def _catalogue(lang: str) -> Callable[[str], str]:
    """The reasons in ``lang`` from the app's own message catalogue, read with Babel alone (no app needed)."""
    if lang == "en":
        return lambda message: message
    return Translations.load(TRANSLATIONS, [lang]).gettext


def estimate(program: Program, total_budget_jpy: int, japan_spend_jpy: int, release_countries: int,
             lang: str = "en") -> Estimate:
    """Eligibility under ``program`` and the rebate: floor(rate × Japan spend), capped, 0 when not eligible.

    The reasons are in ``lang`` (any language of the app's catalogue), worded as the programme words its
    thresholds: "more than" for strict ones, "at least" for inclusive ("以上") ones."""
    for name, value in (("total_budget_jpy", total_budget_jpy), ("japan_spend_jpy", japan_spend_jpy),
                        ("release_countries", release_countries)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number, 0 or more")
    if japan_spend_jpy > total_budget_jpy:
        raise ValueError("japan_spend_jpy is more than total_budget_jpy")
    _ = _catalogue(lang)
    japan, total = _yen(japan_spend_jpy, lang), _yen(total_budget_jpy, lang)
    met: list[str] = []
    missed: list[str] = []
    p = program
    at_least = p.thresholds_inclusive

    def both(parts: list[str]) -> str:
        return parts[0] if len(parts) == 1 else _("%(first)s; %(second)s") % {"first": parts[0], "second": parts[1]}

    if p.min_japan_spend_alone_jpy is not None:
        values = {"japan": japan, "limit": _yen(p.min_japan_spend_alone_jpy, lang)}
        if p.meets(japan_spend_jpy, p.min_japan_spend_alone_jpy):
            met.append((_("Japan spend %(japan)s is at least %(limit)s.") if at_least
                        else _("Japan spend %(japan)s is more than %(limit)s.")) % values)
        else:
            missed.append((_("Japan spend %(japan)s is less than %(limit)s.") if at_least
                           else _("Japan spend %(japan)s is not more than %(limit)s.")) % values)

    if p.min_total_budget_jpy is not None and p.min_japan_spend_with_total_jpy is not None:
        values = {"total": total, "total_limit": _yen(p.min_total_budget_jpy, lang), "japan": japan,
                  "japan_limit": _yen(p.min_japan_spend_with_total_jpy, lang)}
        total_ok = p.meets(total_budget_jpy, p.min_total_budget_jpy)
        japan_ok = p.meets(japan_spend_jpy, p.min_japan_spend_with_total_jpy)
        if total_ok and japan_ok:
            met.append((_("Total budget %(total)s is at least %(total_limit)s and Japan spend %(japan)s is at "
                          "least %(japan_limit)s.") if at_least else
                        _("Total budget %(total)s is more than %(total_limit)s and Japan spend %(japan)s is more "
                          "than %(japan_limit)s.")) % values)
        else:
            why = []
            if not total_ok:
                why.append((_("total budget %(total)s is less than %(total_limit)s") if at_least
                            else _("total budget %(total)s is not more than %(total_limit)s")) % values)
            if not japan_ok:
                why.append((_("Japan spend %(japan)s is less than %(japan_limit)s") if at_least
                            else _("Japan spend %(japan)s is not more than %(japan_limit)s")) % values)
            missed.append(_("Budget criterion not met: %(why)s.") % {"why": both(why)})

    if p.min_release_countries is not None and p.min_japan_spend_with_release_jpy is not None:
        values = {"countries": release_countries, "countries_limit": p.min_release_countries, "japan": japan,
                  "japan_limit": _yen(p.min_japan_spend_with_release_jpy, lang)}
        countries_ok = p.meets(release_countries, p.min_release_countries)
        japan_ok = p.meets(japan_spend_jpy, p.min_japan_spend_with_release_jpy)
        if countries_ok and japan_ok:
            met.append((_("Release in %(countries)s countries is at least %(countries_limit)s and Japan spend "
                          "%(japan)s is at least %(japan_limit)s.") if at_least else
                        _("Release in %(countries)s countries is more than %(countries_limit)s and Japan spend "
                          "%(japan)s is more than %(japan_limit)s.")) % values)
        else:
            why = []
            if not countries_ok:
                why.append((_("release in %(countries)s countries is less than %(countries_limit)s") if at_least
                            else _("release in %(countries)s countries is not more than %(countries_limit)s"))
                           % values)
            if not japan_ok:
                why.append((_("Japan spend %(japan)s is less than %(japan_limit)s") if at_least
                            else _("Japan spend %(japan)s is not more than %(japan_limit)s")) % values)
            missed.append(_("Release criterion not met: %(why)s.") % {"why": both(why)})

    if not met:
        if not missed:
            return Estimate(False, (_("No eligibility thresholds are on record for this programme, so "
                                      "eligibility cannot be assessed."),), 0)
        lead = (_("Not eligible: no criterion is met (each threshold must be reached).") if at_least
                else _("Not eligible: no criterion is met (each threshold must be exceeded)."))
        return Estimate(False, (lead, *missed), 0)

    rebate = int((p.rate * japan_spend_jpy).to_integral_value(rounding=ROUND_FLOOR))
    reasons = [*met, _("Up to %(rate)s of Japan spend %(japan)s = %(rebate)s.") % {
        "rate": _percent(p.rate), "japan": japan, "rebate": _yen(rebate, lang)}]
    capped = p.cap_jpy is not None and rebate > p.cap_jpy
    if capped:
        rebate = p.cap_jpy
        reasons.append(_("Capped at %(cap)s per project.") % {"cap": _yen(p.cap_jpy, lang)})
    elif p.cap_jpy is None:
        reasons.append(_("No cap is on record for this programme."))
    reasons.append(_("Other conditions (eligible costs, applicant, review) are not checked; the grant is decided "
                     "on review."))
    return Estimate(True, tuple(reasons), rebate, capped)


def default_program(programs: Iterable[Program], today: date) -> Optional[Program]:
    """The programme open for applications on ``today``, the latest started among several; None when every
    round has closed (a closed round is never offered as the default: the producer picks one knowingly)."""
    ordered = sorted((p for p in programs if p.is_open(today)), key=lambda p: (p.valid_from, p.code))
    return ordered[-1] if ordered else None


def program_as_json(program: Program, lang: Lang = "en") -> dict:
    return {"code": program.code, "name": program.name(lang), "rate": float(program.rate),
            "cap_jpy": program.cap_jpy, "source": program.source, "is_estimate": program.is_estimate,
            "valid_from": program.valid_from.isoformat(),
            "valid_to": program.valid_to.isoformat() if program.valid_to else None,
            "thresholds_inclusive": program.thresholds_inclusive}


# ===================================================================================== database adapter

def load_programs(session) -> tuple[Program, ...]:
    """Every programme version, oldest first."""
    from sqlalchemy import select

    from .models import IncentiveProgram

    rows = session.scalars(select(IncentiveProgram).order_by(IncentiveProgram.valid_from, IncentiveProgram.code))
    return tuple(Program(
        code=r.code, name_ja=r.name_ja, name_en=r.name_en, valid_from=r.valid_from, valid_to=r.valid_to,
        rate=Decimal(str(r.rate)), cap_jpy=r.cap_jpy, min_japan_spend_alone_jpy=r.min_japan_spend_alone_jpy,
        min_total_budget_jpy=r.min_total_budget_jpy, min_japan_spend_with_total_jpy=r.min_japan_spend_with_total_jpy,
        min_release_countries=r.min_release_countries,
        min_japan_spend_with_release_jpy=r.min_japan_spend_with_release_jpy,
        is_estimate=bool(r.is_estimate), source=r.source, thresholds_inclusive=bool(r.thresholds_inclusive))
        for r in rows)
