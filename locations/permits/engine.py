"""Permit rules engine: a shoot (place, dates, activities) in; required permits, where to file them and
the latest safe filing dates out. Pure functions over frozen dataclasses, so it runs without an app;
``load_rules`` at the bottom is the only part that reads the database.

It is long because it is one pure unit: the inputs, the routing, the bilingual reasons and the
plan, with the database adapter fenced off at the bottom.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Iterable, Literal, Mapping, Optional

import holidays
from geopy.distance import great_circle

Lang = Literal["en", "ja"]

# A shoot, and so a plan, covers at most a year of days; longer ones are split.
MAX_SHOOT_DAYS = 366

# Kinds the data only knows by a broader body: a permit filed at the local police station is routed to
# the prefecture's police headquarters when no station is on record, and the reason says so.
KIND_EQUIVALENTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "police_station": ("police_headquarters",),
})


# ---------------------------------------------------------------------------------------------- inputs

@dataclass(frozen=True)
class PermitRule:
    code: str
    name_ja: str
    name_en: str
    authority_kind: str
    legal_basis: str
    lead_business_days: int
    documents: tuple[str, ...] = ()
    is_estimate: bool = False
    source: str = ""

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


@dataclass(frozen=True)
class ActivityInfo:
    code: str
    name_ja: str
    name_en: str

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


@dataclass(frozen=True)
class ActivityLink:
    """An activity triggers a permit type, sometimes only under a condition (reported, never dropped)."""

    activity_code: str
    permit_code: str
    condition_ja: Optional[str] = None
    condition_en: Optional[str] = None


@dataclass(frozen=True)
class AuthorityInfo:
    id: Optional[int]
    code: str
    kind: str
    name_ja: str
    name_en: Optional[str]
    lat: Optional[float]
    lon: Optional[float]
    prefecture_codes: tuple[str, ...] = ()
    municipality_code: Optional[str] = None
    coords_are_estimate: bool = False
    is_estimate: bool = False

    def name(self, lang: Lang) -> str:
        return (self.name_en or self.name_ja) if lang == "en" else self.name_ja


@dataclass(frozen=True)
class Label:
    """Names of an authority kind or a location category, for messages."""

    code: str
    name_ja: str
    name_en: str

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


@dataclass(frozen=True)
class RuleBook:
    """Everything the engine knows, indexed once; build with ``RuleBook.build``."""

    permits: Mapping[str, PermitRule]
    activities: Mapping[str, ActivityInfo]
    links: Mapping[str, tuple[ActivityLink, ...]]  # by activity code, in the order given
    authorities: Mapping[str, tuple[AuthorityInfo, ...]]  # by kind
    kinds: Mapping[str, Label] = field(default_factory=lambda: MappingProxyType({}))
    categories: Mapping[str, Label] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def build(cls, permits: Iterable[PermitRule], activities: Iterable[ActivityInfo],
              links: Iterable[ActivityLink], authorities: Iterable[AuthorityInfo],
              kinds: Iterable[Label] = (), categories: Iterable[Label] = ()) -> RuleBook:
        by_activity: dict[str, list[ActivityLink]] = {}
        for link in links:
            by_activity.setdefault(link.activity_code, []).append(link)
        by_kind: dict[str, list[AuthorityInfo]] = {}
        for authority in authorities:
            by_kind.setdefault(authority.kind, []).append(authority)
        return cls(
            permits=MappingProxyType({p.code: p for p in permits}),
            activities=MappingProxyType({a.code: a for a in activities}),
            links=MappingProxyType({k: tuple(v) for k, v in by_activity.items()}),
            authorities=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            kinds=MappingProxyType({k.code: k for k in kinds}),
            categories=MappingProxyType({c.code: c for c in categories}),
        )


@dataclass(frozen=True)
class Shoot:
    lat: float
    lon: float
    prefecture_code: Optional[str]
    municipality_code: Optional[str]
    start_date: date
    end_date: date
    activities: tuple[str, ...] = ()
    category_code: Optional[str] = None
    typical_permits: tuple[str, ...] = ()  # the location's (or its category's) usual permit codes
    # The location category's names, from the caller that knows the place (else looked up in the rule book).
    category: Optional[Label] = None


# --------------------------------------------------------------------------------------------- outputs

@dataclass(frozen=True)
class RoutedAuthority:
    authority: AuthorityInfo
    distance_km: Optional[float]


@dataclass(frozen=True)
class RequiredPermit:
    code: str
    name_ja: str
    name_en: str
    legal_basis: str
    documents: tuple[str, ...]
    authority: Optional[RoutedAuthority]
    latest_filing_date: date
    lead_business_days: int
    reasons: tuple[str, ...]
    is_estimate: bool

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


@dataclass(frozen=True)
class PermitPlan:
    permits: tuple[RequiredPermit, ...]
    warnings: tuple[str, ...] = field(default=())


# ------------------------------------------------------------------------------------------ business days

@lru_cache(maxsize=256)
def _public_holidays(year: int) -> frozenset[date]:
    # The maintained calendar (substitute and citizens' holidays included); empty outside its range.
    return frozenset(holidays.country_holidays("JP", years=year))


def is_year_end_closure(day: date) -> bool:
    """12/29–1/3: government offices are closed (行政機関の休日に関する法律 第1条第1項第3号), so nothing
    can be filed then although these are not all public holidays."""
    return (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)


def is_business_day(day: date) -> bool:
    return day.weekday() < 5 and not is_year_end_closure(day) and day not in _public_holidays(day.year)


def business_days_before(day: date, count: int) -> date:
    """The date ``count`` business days before ``day`` (with 0: the last business day up to ``day``)."""
    current = day
    if count <= 0:
        while not is_business_day(current):
            current -= timedelta(days=1)
        return current
    left = count
    while left:
        current -= timedelta(days=1)
        if is_business_day(current):
            left -= 1
    return current


# ---------------------------------------------------------------------------------------------- routing

def _distance(shoot: Shoot, authority: AuthorityInfo) -> Optional[float]:
    if authority.lat is None or authority.lon is None:
        return None
    return great_circle((shoot.lat, shoot.lon), (authority.lat, authority.lon)).km


def _nearest(shoot: Shoot, candidates: list[AuthorityInfo]) -> Optional[RoutedAuthority]:
    placed = [RoutedAuthority(a, _distance(shoot, a)) for a in candidates]
    if not placed:
        return None
    # Unplaced authorities still count, after every placed one; the code breaks ties so results are stable.
    return min(placed, key=lambda r: (r.distance_km is None, r.distance_km or 0.0, r.authority.code))


def route(shoot: Shoot, kind: str, rules: RuleBook) -> tuple[Optional[RoutedAuthority], Optional[str]]:
    """The authority of ``kind`` that covers the shoot (its municipality first, else its prefecture),
    nearest first; falls back to an equivalent broader kind. Returns (authority, kind actually used)."""
    for used in (kind, *KIND_EQUIVALENTS.get(kind, ())):
        pool = rules.authorities.get(used, ())
        local = [a for a in pool if shoot.municipality_code and a.municipality_code == shoot.municipality_code]
        chosen = _nearest(shoot, local) or _nearest(
            shoot, [a for a in pool if shoot.prefecture_code and shoot.prefecture_code in a.prefecture_codes])
        if chosen is not None:
            return chosen, used
    return None, None


# --------------------------------------------------------------------------------------------- messages

_TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": MappingProxyType({
        "trigger": "{activity} → {permit} ({law})",
        "condition": " — only if: {condition}",
        "typical": "{article} {category} location usually needs the {permit}",
        "typical_plain": "this location usually needs the {permit}",
        "equivalent": "apply at the local {kind}; nearest known {used}: {name}",
        "other_town": "the nearest known {kind} is in another municipality: confirm it covers this place",
        "coords_estimate": "the authority's position is approximate, so the distance is too",
        "no_authority": "{permit}: no office of the kind “{kind}” is on record for this place; ask the local "
                        "film commission which office handles it",
        "past_start": "the start date {date} is in the past",
        "end_before_start": "the end date {end} is before the start date {start}",
        "too_late": "{permit}: too late: the latest safe filing date {date} has passed",
        "estimates": "some lead times or requirements are estimates, not confirmed rules: {permits}",
        "unknown_activity": "unknown activity {code!r} was ignored",
        "unknown_permit": "unknown permit type {code!r} was ignored",
    }),
    "ja": MappingProxyType({
        "trigger": "{activity} → {permit}({law})",
        "condition": " — 適用条件: {condition}",
        "typical": "{category}のロケ地では通常、{permit}が必要です",
        "typical_plain": "このロケ地では通常、{permit}が必要です",
        "equivalent": "所轄の{kind}に申請してください。登録されている最寄りの{used}: {name}",
        "other_town": "登録されている最寄りの{kind}は別の市区町村にあります。管轄を確認してください",
        "coords_estimate": "窓口の位置は概略のため、距離も概算です",
        "no_authority": "{permit}: この場所の{kind}は登録されていません。地元のフィルムコミッションに"
                        "窓口を確認してください",
        "past_start": "開始日 {date} は過去の日付です",
        "end_before_start": "終了日 {end} が開始日 {start} より前です",
        "too_late": "{permit}: 間に合いません。安全な申請期限 {date} を過ぎています",
        "estimates": "一部の所要日数や要件は推定値で、確認済みの規則ではありません: {permits}",
        "unknown_activity": "不明な撮影内容 {code!r} は無視しました",
        "unknown_permit": "不明な許可種別 {code!r} は無視しました",
    }),
})

_ONLY_IF = re.compile(r"^(only if|if)\s+", re.IGNORECASE)
_LAW_END = re.compile(r"[((;]| \+ ")


def short_law(legal_basis: str) -> str:
    """The statute and article a permit rests on, without the explanations that follow it."""
    return _LAW_END.split(legal_basis, maxsplit=1)[0].strip() or legal_basis.strip()


def _kind_name(rules: RuleBook, kind: str, lang: Lang, in_sentence: bool = False) -> str:
    label = rules.kinds.get(kind)
    name = label.name(lang) if label else kind.replace("_", " ")
    # "the local police station", not "the local Police station" (names are stored capitalised).
    return name[:1].lower() + name[1:] if in_sentence and lang == "en" else name


def _condition(link: ActivityLink, lang: Lang) -> Optional[str]:
    if lang == "ja":
        return link.condition_ja or link.condition_en
    return _ONLY_IF.sub("", link.condition_en) if link.condition_en else link.condition_ja


# ----------------------------------------------------------------------------------------------- engine

def plan_permits(shoot: Shoot, rules: RuleBook, today: date, lang: Lang = "en") -> PermitPlan:
    """The permits a shoot needs, each with where to file it and by when, sorted by that date."""
    text = _TEXT[lang]
    warnings: list[str] = []
    reasons: dict[str, list[str]] = {}

    def add(code: str, reason: str) -> None:
        found = reasons.setdefault(code, [])
        if reason not in found:
            found.append(reason)

    for activity_code in dict.fromkeys(shoot.activities):
        activity = rules.activities.get(activity_code)
        if activity is None:
            warnings.append(text["unknown_activity"].format(code=activity_code))
            continue
        for link in rules.links.get(activity_code, ()):
            permit = rules.permits.get(link.permit_code)
            if permit is None:
                continue
            reason = text["trigger"].format(activity=activity.name(lang), permit=permit.name(lang),
                                            law=short_law(permit.legal_basis))
            condition = _condition(link, lang)
            add(permit.code, reason + (text["condition"].format(condition=condition) if condition else ""))

    category = shoot.category or (rules.categories.get(shoot.category_code) if shoot.category_code else None)
    for code in dict.fromkeys(shoot.typical_permits):
        permit = rules.permits.get(code)
        if permit is None:
            warnings.append(text["unknown_permit"].format(code=code))
            continue
        name = permit.name(lang)
        label = category.name(lang) if category else (shoot.category_code or "").replace("_", " ")
        if not label:
            add(code, text["typical_plain"].format(permit=name))
        elif lang == "en":
            label = label.lower()
            article = "an" if label[0] in "aeiou" else "a"
            add(code, text["typical"].format(article=article, category=label, permit=name))
        else:
            add(code, text["typical"].format(category=label, permit=name))

    required = []
    for code, why in reasons.items():
        permit = rules.permits[code]
        permit_name = permit.name(lang)
        routed, used = route(shoot, permit.authority_kind, rules)
        why = list(why)
        if routed is None:
            warnings.append(text["no_authority"].format(
                permit=permit_name, kind=_kind_name(rules, permit.authority_kind, lang)))
        else:
            if used != permit.authority_kind:
                why.append(text["equivalent"].format(
                    kind=_kind_name(rules, permit.authority_kind, lang, True),
                    used=_kind_name(rules, used, lang, True),
                    name=routed.authority.name(lang)))
            elif (routed.authority.municipality_code and shoot.municipality_code
                  and routed.authority.municipality_code != shoot.municipality_code
                  and not routed.authority.prefecture_codes[1:]):
                # Matched by prefecture only, and the body is a municipal one elsewhere (e.g. another
                # city's fire department): say so rather than pretend it is the local office.
                why.append(text["other_town"].format(kind=_kind_name(rules, used, lang, True)))
            if routed.authority.coords_are_estimate and routed.distance_km is not None:
                why.append(text["coords_estimate"])
        required.append(RequiredPermit(
            code=code, name_ja=permit.name_ja, name_en=permit.name_en, legal_basis=permit.legal_basis,
            documents=permit.documents, authority=routed,
            latest_filing_date=business_days_before(shoot.start_date, permit.lead_business_days),
            lead_business_days=permit.lead_business_days, reasons=tuple(why), is_estimate=permit.is_estimate,
        ))
    required.sort(key=lambda p: (p.latest_filing_date, p.code))

    if shoot.start_date < today:
        warnings.append(text["past_start"].format(date=shoot.start_date.isoformat()))
    if shoot.end_date < shoot.start_date:
        warnings.append(text["end_before_start"].format(start=shoot.start_date.isoformat(),
                                                        end=shoot.end_date.isoformat()))
    for permit in required:
        if permit.latest_filing_date < today:
            warnings.append(text["too_late"].format(permit=permit.name(lang),
                                                    date=permit.latest_filing_date.isoformat()))
    estimates = [p.name(lang) for p in required if p.is_estimate]
    if estimates:
        warnings.append(text["estimates"].format(permits=", ".join(estimates)))
    return PermitPlan(permits=tuple(required), warnings=tuple(warnings))


def plan_as_json(plan: PermitPlan, lang: Lang = "en") -> dict[str, Any]:
    """The plan as the API shows it."""
    return {
        "permits": [{
            "permit_type": p.code,
            "name": p.name(lang),
            "legal_basis": p.legal_basis,
            "authority": None if p.authority is None else {
                "code": p.authority.authority.code,
                "name": p.authority.authority.name(lang),
                "kind": p.authority.authority.kind,
                "distance_km": None if p.authority.distance_km is None else round(p.authority.distance_km, 3),
            },
            "latest_filing_date": p.latest_filing_date.isoformat(),
            "lead_business_days": p.lead_business_days,
            "documents": list(p.documents),
            "reasons": list(p.reasons),
            "is_estimate": p.is_estimate,
        } for p in plan.permits],
        "warnings": list(plan.warnings),
    }


# ===================================================================================== database adapter
# Everything above is pure. This reads the current rows into the frozen inputs; models are imported here
# so importing the engine needs neither Flask nor a database.

def load_rules(session) -> RuleBook:
    """The rule book from the database as it is now (authorities added at runtime included)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from .models import Activity, ActivityPermit, AuthorityKind, PermitAuthority, PermitType

    kinds = {k.id: k for k in session.scalars(select(AuthorityKind))}
    permit_rows = list(session.scalars(select(PermitType)))
    activities = list(session.scalars(select(Activity)))
    permit_codes = {p.id: p.code for p in permit_rows}
    activity_codes = {a.id: a.code for a in activities}
    links = session.scalars(select(ActivityPermit).order_by(ActivityPermit.id))
    authorities = session.scalars(select(PermitAuthority).options(
        selectinload(PermitAuthority.prefectures), selectinload(PermitAuthority.municipality)))
    return RuleBook.build(
        permits=[PermitRule(
            code=p.code, name_ja=p.name_ja, name_en=p.name_en, authority_kind=kinds[p.authority_kind_id].code,
            legal_basis=p.legal_basis, lead_business_days=p.lead_business_days, documents=tuple(p.documents),
            is_estimate=bool(p.is_estimate), source=p.source) for p in permit_rows],
        activities=[ActivityInfo(a.code, a.name_ja, a.name_en) for a in activities],
        links=[ActivityLink(activity_codes[link.activity_id], permit_codes[link.permit_type_id],
                            link.condition_ja, link.condition_en) for link in links],
        authorities=[AuthorityInfo(
            id=a.id, code=a.code, kind=kinds[a.kind_id].code, name_ja=a.name_ja, name_en=a.name_en,
            lat=a.lat, lon=a.lon, prefecture_codes=tuple(p.code for p in a.prefectures),
            municipality_code=a.municipality.code if a.municipality else None,
            coords_are_estimate=bool(a.coords_are_estimate), is_estimate=bool(a.is_estimate))
            for a in authorities],
        kinds=[Label(k.code, k.name_ja, k.name_en) for k in kinds.values()],
    )
