"""Incentive estimator: a production's budget, Japan spend and release reach in; whether a programme's
eligibility thresholds are met and the rebate it could pay out. Pure functions over frozen dataclasses;
``load_programs`` at the bottom is the only part that reads the database.

Thresholds are compared as each programme's own text words them: strict ("Japan direct costs > ¥500m",
the 2020–2024 rounds) or inclusive ("5億円以上", the 2025 round: ``thresholds_inclusive``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Iterable, Literal, Optional

Lang = Literal["en", "ja"]

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


def _yen(amount: int, lang: Lang) -> str:
    return f"¥{amount:,}" if lang == "en" else f"{amount:,}円"


def _percent(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


# The reasons are written for strict thresholds; an inclusive ("以上") programme says "at least" instead.
_INCLUSIVE_WORDING = (("is not more than", "is less than"), ("is more than", "is at least"),
                      ("を超えていません", "に達していません"), ("を超えています", "以上です"),
                      ("を超え、", "以上で、"),
                      ("each threshold must be exceeded", "each threshold must be reached"),
                      ("各基準額を超える必要があります", "各基準額以上である必要があります"))


def _worded(program: Program, reasons: list[str]) -> list[str]:
    if not program.thresholds_inclusive:
        return reasons
    out = []
    for reason in reasons:
        for strict, inclusive in _INCLUSIVE_WORDING:
            reason = reason.replace(strict, inclusive)
        out.append(reason)
    return out


def estimate(program: Program, total_budget_jpy: int, japan_spend_jpy: int, release_countries: int,
             lang: Lang = "en") -> Estimate:
    """Eligibility under ``program`` and the rebate: floor(rate × Japan spend), capped, 0 when not eligible."""
    for name, value in (("total_budget_jpy", total_budget_jpy), ("japan_spend_jpy", japan_spend_jpy),
                        ("release_countries", release_countries)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number, 0 or more")
    if japan_spend_jpy > total_budget_jpy:
        raise ValueError("japan_spend_jpy is more than total_budget_jpy")
    en = lang == "en"
    japan, total = _yen(japan_spend_jpy, lang), _yen(total_budget_jpy, lang)
    met: list[str] = []
    missed: list[str] = []
    p = program

    if p.min_japan_spend_alone_jpy is not None:
        limit = _yen(p.min_japan_spend_alone_jpy, lang)
        if p.meets(japan_spend_jpy, p.min_japan_spend_alone_jpy):
            met.append(f"Japan spend {japan} is more than {limit}." if en
                       else f"国内支出 {japan} が {limit} を超えています。")
        else:
            missed.append(f"Japan spend {japan} is not more than {limit}." if en
                          else f"国内支出 {japan} が {limit} を超えていません。")

    if p.min_total_budget_jpy is not None and p.min_japan_spend_with_total_jpy is not None:
        total_limit, japan_limit = _yen(p.min_total_budget_jpy, lang), _yen(p.min_japan_spend_with_total_jpy, lang)
        total_ok = p.meets(total_budget_jpy, p.min_total_budget_jpy)
        japan_ok = p.meets(japan_spend_jpy, p.min_japan_spend_with_total_jpy)
        if total_ok and japan_ok:
            met.append(f"Total budget {total} is more than {total_limit} and Japan spend {japan} is more than "
                       f"{japan_limit}." if en else
                       f"総製作費 {total} が {total_limit} を超え、国内支出 {japan} が {japan_limit} を超えています。")
        else:
            why = []
            if not total_ok:
                why.append(f"total budget {total} is not more than {total_limit}" if en
                           else f"総製作費 {total} が {total_limit} を超えていません")
            if not japan_ok:
                why.append(f"Japan spend {japan} is not more than {japan_limit}" if en
                           else f"国内支出 {japan} が {japan_limit} を超えていません")
            missed.append(("Budget criterion not met: " + "; ".join(why) + ".") if en
                          else "総製作費の要件を満たしません：" + "、".join(why) + "。")

    if p.min_release_countries is not None and p.min_japan_spend_with_release_jpy is not None:
        countries_limit, japan_limit = p.min_release_countries, _yen(p.min_japan_spend_with_release_jpy, lang)
        countries_ok = p.meets(release_countries, p.min_release_countries)
        japan_ok = p.meets(japan_spend_jpy, p.min_japan_spend_with_release_jpy)
        if countries_ok and japan_ok:
            met.append(f"Release in {release_countries} countries is more than {countries_limit} and Japan spend "
                       f"{japan} is more than {japan_limit}." if en else
                       f"公開国数 {release_countries} が {countries_limit} を超え、国内支出 {japan} が {japan_limit} を"
                       "超えています。")
        else:
            why = []
            if not countries_ok:
                why.append(f"release in {release_countries} countries is not more than {countries_limit}" if en
                           else f"公開国数 {release_countries} が {countries_limit} を超えていません")
            if not japan_ok:
                why.append(f"Japan spend {japan} is not more than {japan_limit}" if en
                           else f"国内支出 {japan} が {japan_limit} を超えていません")
            missed.append(("Release criterion not met: " + "; ".join(why) + ".") if en
                          else "海外公開の要件を満たしません：" + "、".join(why) + "。")

    if not met:
        if not missed:
            reason = ("No eligibility thresholds are on record for this programme, so eligibility cannot be "
                      "assessed." if en else "この制度の対象要件は記録がないため、判定できません。")
            return Estimate(False, (reason,), 0)
        lead = ("Not eligible: no criterion is met (each threshold must be exceeded)." if en
                else "対象外：いずれの要件も満たしません（各基準額を超える必要があります）。")
        return Estimate(False, tuple(_worded(p, [lead, *missed])), 0)

    rebate = int((p.rate * japan_spend_jpy).to_integral_value(rounding=ROUND_FLOOR))
    reasons = _worded(p, [*met])
    reasons.append(f"Up to {_percent(p.rate)} of Japan spend {japan} = {_yen(rebate, lang)}." if en
                   else f"国内支出 {japan} の最大 {_percent(p.rate)} = {_yen(rebate, lang)}。")
    capped = p.cap_jpy is not None and rebate > p.cap_jpy
    if capped:
        rebate = p.cap_jpy
        reasons.append(f"Capped at {_yen(p.cap_jpy, lang)} per project." if en
                       else f"1件あたりの上限 {_yen(p.cap_jpy, lang)} を適用。")
    elif p.cap_jpy is None:
        reasons.append("No cap is on record for this programme." if en else "この制度の上限額は記録がありません。")
    reasons.append("Other conditions (eligible costs, applicant, review) are not checked; the grant is decided "
                   "on review." if en else "対象経費・申請者・審査などの他の条件は確認していません。交付額は審査で決まります。")
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
