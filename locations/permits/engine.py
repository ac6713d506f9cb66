"""Permit rules engine: a shoot (place, dates, activities, answers, what the map says) in; each permit as
needed, not needed or to confirm, where to file it (and how sure the routing is) and the latest safe filing
date out. Pure functions over frozen dataclasses, so it runs without an app; ``load_rules`` at the bottom is
the only part that reads the database.

It is long because it is one pure unit: the inputs, the routing rungs, the bilingual reasons and the
plan, with the database adapter fenced off at the bottom.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Iterable, Literal, Mapping, Optional

import holidays

Lang = Literal["en", "ja"]
# The records carry Japanese and English; a reader of another language gets the plan's sentences from _TEXT in
# their language and the English names passed through the caller's ``translate`` (the app's catalogue).
Translate = Callable[[str], str]


def _same(text: str) -> str:
    return text

# A shoot, and so a plan, covers at most a year of days; longer ones are split.
MAX_SHOOT_DAYS = 366

# Kinds the data only knows by a broader body: a permit filed at the local police station is routed to
# the prefecture's police headquarters when no station is on record, and the reason says so.
KIND_EQUIVALENTS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "police_station": ("police_headquarters",),
})

# How an office was found, most certain first (the routing order). Every routed permit says which.
RUNGS = ("jurisdiction", "same_municipality", "nearest_candidate", "parent", "film_commission")

# Kinds whose office is, by law, a body of the municipality or the prefecture itself: the planner names it
# ("高松市教育委員会") even with no contact on record. Every municipality has a board of education (地方教育行政の
# 組織及び運営に関する法律 第2条); the 海岸管理者 is normally the prefectural governor (海岸法第5条).
MUNICIPAL_BODIES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "board_of_education": ("{name}教育委員会", "{name} Board of Education"),
    "facility_manager_municipality": ("{name}(施設管理者)", "{name} (facility manager)"),
    "municipality_or_none": ("{name}", "{name}"),
})
PREFECTURAL_BODIES: Mapping[str, tuple[str, str]] = MappingProxyType({
    "coast_administrator": ("{name}(海岸管理者)", "{name} (coast administrator)"),
    "prefectural_governor_or_delegated_municipality": ("{name}知事(権限移譲先の市町村を含む)",
                                                       "Governor of {name} (or the delegated municipality)"),
})
STATUSES = ("needed", "to_confirm", "not_needed")


# --------------------------------------------------------------------------------------------- questions
# Questions decide whether a conditional permit applies; a small rule language ties them to activity →
# permit links. Answers in, three-valued outcomes out (True, False, or None = unknown).
#
# A rule is alternatives separated by "|", each a conjunction of tests joined by "&":
# ``drone_in_did=yes|drone_night=yes``, ``fuel_gasoline_l=40..199|fuel_diesel_l>=1000``. A test is
# ``code=yes``, ``code=no``, ``code>=N``, ``code<N`` or ``code=A..B`` (inclusive). Unknown answers make the
# outcome unknown unless another part already decides it (Kleene logic).
_TEST = re.compile(r"^([a-z][a-z0-9_]*)(=yes|=no|>=-?\d+(?:\.\d+)?|<-?\d+(?:\.\d+)?|=\d+(?:\.\d+)?\.\.\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Question:
    code: str
    kind: str  # "yes_no" | "number"
    text_ja: str
    text_en: str
    unit: Optional[str] = None
    answered_by: Optional[str] = None  # a spatial fact key (did, airport, national_park, cultural)
    order: int = 0

    def text(self, lang: Lang) -> str:
        return self.text_en if lang == "en" else self.text_ja


@dataclass(frozen=True)
class Fact:
    """What the spatial layers say about the shoot's point for one question: "yes", "no" or None (unknown)."""

    value: Optional[str]
    note_ja: str
    note_en: str
    # note_en as a catalogue text with %(name)s placeholders and their values, for readers of other languages.
    template: str = ""
    params: tuple[tuple[str, str], ...] = ()

    def note(self, lang: Lang) -> str:
        return self.note_en if lang == "en" else self.note_ja

    def note_for(self, lang: Lang, tr: Translate) -> str:
        if tr is _same or not self.template:
            return self.note(lang)
        try:
            return tr(self.template) % dict(self.params)
        except (KeyError, TypeError, ValueError):
            return self.note_en


@dataclass(frozen=True)
class Test:
    question: str
    op: str  # "yes" | "no" | ">=" | "<" | "range"
    low: float = 0.0
    high: float = 0.0


@lru_cache(maxsize=4096)
def parse_rule(rule: str) -> tuple[tuple[Test, ...], ...]:
    """The rule as alternatives of conjunctions; raises ValueError with the bad part. Remembered per rule
    text (a plan evaluates each of its links' rules; the rule book has a few hundred)."""
    alternatives = []
    for alternative in rule.split("|"):
        tests = []
        for part in alternative.split("&"):
            match = _TEST.match(part.strip())
            if not match:
                raise ValueError(f"bad test {part.strip()!r}")
            code, op = match.groups()
            if op == "=yes":
                tests.append(Test(code, "yes"))
            elif op == "=no":
                tests.append(Test(code, "no"))
            elif op.startswith(">="):
                tests.append(Test(code, ">=", float(op[2:])))
            elif op.startswith("<"):
                tests.append(Test(code, "<", float(op[1:])))
            else:
                low, high = op[1:].split("..")
                tests.append(Test(code, "range", float(low), float(high)))
        alternatives.append(tuple(tests))
    return tuple(alternatives)


def rule_questions(rule: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(t.question for alt in parse_rule(rule) for t in alt))


@dataclass(frozen=True)
class Answer:
    value: Optional[str]  # "yes", "no", a number as text, or None
    by: str  # "producer" | "data" | "none"
    note: str = ""  # for data answers: what the layer found


def answer_for(question: Question, answers: Mapping[str, str], facts: Mapping[str, Fact], lang: Lang,
               tr: Translate = _same) -> Answer:
    """The producer's answer wins (they know the plan); else the spatial data, when it can tell."""
    given = answers.get(question.code)
    if given not in (None, ""):
        return Answer(str(given), "producer")
    fact = facts.get(question.answered_by or "")
    if fact is not None and fact.value is not None:
        return Answer(fact.value, "data", fact.note_for(lang, tr))
    return Answer(None, "none", fact.note_for(lang, tr) if fact is not None else "")


def _number(value: Optional[str]) -> Optional[float]:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def check(test: Test, value: Optional[str]) -> Optional[bool]:
    if value is None:
        return None
    if test.op in ("yes", "no"):
        return value == test.op if value in ("yes", "no") else None
    number = _number(value)
    if number is None:
        return None
    if test.op == ">=":
        return number >= test.low
    if test.op == "<":
        return number < test.low
    return test.low <= number <= test.high


def evaluate(rule: str, value_of) -> tuple[Optional[bool], tuple[str, ...], tuple[str, ...]]:
    """(outcome, questions that decided it, questions still open). ``value_of(code)`` gives an answer text."""
    results = []
    for alternative in parse_rule(rule):
        outcomes = [(t, check(t, value_of(t.question))) for t in alternative]
        if any(o is False for _, o in outcomes):
            results.append((False, tuple(t.question for t, o in outcomes if o is False), ()))
        elif all(o is True for _, o in outcomes):
            results.append((True, tuple(t.question for t, _ in outcomes), ()))
        else:
            results.append((None, (), tuple(t.question for t, o in outcomes if o is None)))
    if any(r[0] is True for r in results):
        decided = next(r[1] for r in results if r[0] is True)
        return True, decided, ()
    if all(r[0] is False for r in results):
        return False, tuple(dict.fromkeys(q for r in results for q in r[1])), ()
    return None, (), tuple(dict.fromkeys(q for r in results if r[0] is None for q in r[2]))


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
class Label:
    """Names of an authority kind or a location category, for messages."""

    code: str
    name_ja: str
    name_en: str

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


class ActivityInfo(Label):
    """An activity a shoot may do: its code and names, like any other label."""


@dataclass(frozen=True)
class ActivityLink:
    """An activity triggers a permit type, sometimes only under a condition (reported, never dropped)."""

    activity_code: str
    permit_code: str
    condition_ja: Optional[str] = None
    condition_en: Optional[str] = None
    rule: Optional[str] = None  # questions that decide the condition (see questions.py); None: always


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
    jurisdiction: str = "unknown"  # "municipalities" (served), "prefecture" (prefecture_codes), "unknown"
    served: tuple[str, ...] = ()  # municipality codes, when jurisdiction == "municipalities"
    parent_code: Optional[str] = None
    takes_applications: bool = True
    is_candidate: bool = False  # e.g. an OpenStreetMap office not yet confirmed

    def name(self, lang: Lang) -> str:
        return (self.name_en or self.name_ja) if lang == "en" else self.name_ja


@dataclass(frozen=True)
class RuleBook:
    """Everything the engine knows, indexed once; build with ``RuleBook.build``."""

    permits: Mapping[str, PermitRule]
    activities: Mapping[str, ActivityInfo]
    links: Mapping[str, tuple[ActivityLink, ...]]  # by activity code, in the order given
    authorities: Mapping[str, tuple[AuthorityInfo, ...]]  # by kind
    kinds: Mapping[str, Label] = field(default_factory=lambda: MappingProxyType({}))
    categories: Mapping[str, Label] = field(default_factory=lambda: MappingProxyType({}))
    questions: Mapping[str, Question] = field(default_factory=lambda: MappingProxyType({}))
    # Film commissions (or, where none is on record, the prefecture's tourism/film desk) by prefecture code.
    commissions: Mapping[str, tuple[AuthorityInfo, ...]] = field(default_factory=lambda: MappingProxyType({}))
    by_code: Mapping[str, AuthorityInfo] = field(default_factory=lambda: MappingProxyType({}))
    # (kind, "p:" prefecture | "m:" municipality | "j:" served municipality | "jp:" whole prefecture) →
    # offices that take applications, so routing never scans thousands of candidate offices.
    places: Mapping[tuple[str, str], tuple[AuthorityInfo, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # Municipality code → the place part of a Shoot (``town_place``), so a plan by coordinates reads no row.
    towns: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def build(cls, permits: Iterable[PermitRule], activities: Iterable[ActivityInfo],
              links: Iterable[ActivityLink], authorities: Iterable[AuthorityInfo],
              kinds: Iterable[Label] = (), categories: Iterable[Label] = (), questions: Iterable[Question] = (),
              commissions: Iterable[AuthorityInfo] = (), towns: Iterable[Mapping[str, Any]] = ()) -> RuleBook:
        by_activity: dict[str, list[ActivityLink]] = {}
        for link in links:
            by_activity.setdefault(link.activity_code, []).append(link)
        by_kind: dict[str, list[AuthorityInfo]] = {}
        authorities = list(authorities)
        for authority in authorities:
            by_kind.setdefault(authority.kind, []).append(authority)
        places: dict[tuple[str, str], list[AuthorityInfo]] = {}
        for a in authorities:
            if not a.takes_applications:
                continue
            keys = [f"p:{p}" for p in a.prefecture_codes]
            if a.municipality_code:
                keys.append(f"m:{a.municipality_code}")
            if not a.is_candidate and a.jurisdiction == "municipalities":
                keys.extend(f"j:{m}" for m in a.served)
            if not a.is_candidate and a.jurisdiction == "prefecture":
                keys.extend(f"jp:{p}" for p in a.prefecture_codes)
            for key in keys:
                places.setdefault((a.kind, key), []).append(a)
        by_prefecture: dict[str, list[AuthorityInfo]] = {}
        for fc in commissions:
            for code in fc.prefecture_codes:
                by_prefecture.setdefault(code, []).append(fc)
        return cls(
            questions=MappingProxyType({q.code: q for q in sorted(questions, key=lambda q: (q.order, q.code))}),
            commissions=MappingProxyType({k: tuple(v) for k, v in by_prefecture.items()}),
            by_code=MappingProxyType({a.code: a for a in authorities}),
            places=MappingProxyType({k: tuple(v) for k, v in places.items()}),
            permits=MappingProxyType({p.code: p for p in permits}),
            activities=MappingProxyType({a.code: a for a in activities}),
            links=MappingProxyType({k: tuple(v) for k, v in by_activity.items()}),
            authorities=MappingProxyType({k: tuple(v) for k, v in by_kind.items()}),
            kinds=MappingProxyType({k.code: k for k in kinds}),
            categories=MappingProxyType({c.code: c for c in categories}),
            towns=MappingProxyType({t["municipality_code"]: MappingProxyType(dict(t)) for t in towns}),
        )


def town_place(code: str, name_ja: str, name_romaji: Optional[str], is_ward: bool, prefecture_code: str,
               prefecture_ja: str, prefecture_en: str) -> dict[str, Any]:
    """The place part of a Shoot (codes and names) for a municipality and its prefecture."""
    return {
        "prefecture_code": prefecture_code,
        "municipality_code": code,
        # A designated city's wards share its code but for the last digit (01101 → 01100, 22138 → 22130).
        "parent_municipality_code": code[:4] + "0" if is_ward else None,
        "municipality": Label(code, name_ja, name_romaji or name_ja),
        "prefecture": Label(prefecture_code, prefecture_ja, prefecture_en),
    }


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
    answers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # the producer's
    facts: Mapping[str, Fact] = field(default_factory=lambda: MappingProxyType({}))  # the spatial layers'
    municipality: Optional[Label] = None  # names, for offices that are the municipality's own bodies
    prefecture: Optional[Label] = None
    parent_municipality_code: Optional[str] = None  # the city of a designated-city ward


# --------------------------------------------------------------------------------------------- outputs

@dataclass(frozen=True)
class RoutedAuthority:
    authority: AuthorityInfo
    distance_km: Optional[float]
    rung: str = "jurisdiction"  # one of RUNGS
    derived: bool = False  # named from the municipality or prefecture, no record of its own


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
    status: str = "needed"  # one of STATUSES
    open_questions: tuple[str, ...] = ()  # question codes that would settle a "to_confirm"

    def name(self, lang: Lang) -> str:
        return self.name_en if lang == "en" else self.name_ja


@dataclass(frozen=True)
class OpenQuestion:
    question: Question
    permits: tuple[str, ...]  # the permit codes its answer decides
    hint: str = ""  # what the map could say, e.g. "outside the national parks; other parks not mapped"


@dataclass(frozen=True)
class PermitPlan:
    permits: tuple[RequiredPermit, ...]  # needed and to confirm, by filing date
    warnings: tuple[str, ...] = field(default=())
    not_needed: tuple[RequiredPermit, ...] = ()
    questions: tuple[OpenQuestion, ...] = ()

    def by_status(self, status: str) -> tuple[RequiredPermit, ...]:
        return tuple(p for p in (*self.permits, *self.not_needed) if p.status == status)


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


@lru_cache(maxsize=8192)
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

_EARTH_KM = 6371.009  # geopy's mean radius, so the distances match great_circle


def _distance(shoot: Shoot, authority: AuthorityInfo) -> Optional[float]:
    if authority.lat is None or authority.lon is None:
        return None
    # Haversine in plain math: geopy's great_circle costs ~10 µs a call, and a prefecture has hundreds of
    # candidate offices.
    lat1, lat2 = math.radians(shoot.lat), math.radians(authority.lat)
    dlat, dlon = lat2 - lat1, math.radians(authority.lon - shoot.lon)
    h = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
    return 2 * _EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def _nearest(shoot: Shoot, candidates: list[AuthorityInfo], rung: str) -> Optional[RoutedAuthority]:
    if not candidates:
        return None
    # Unplaced authorities still count, after every placed one; the code breaks ties so results are stable.
    distance, authority = min(((_distance(shoot, a), a) for a in candidates),
                              key=lambda pair: (pair[0] is None, pair[0] or 0.0, pair[1].code))
    return RoutedAuthority(authority, distance, rung)


def _derived(shoot: Shoot, kind: str) -> Optional[RoutedAuthority]:
    """The municipality's or prefecture's own body for kinds the law gives to them."""
    if kind in MUNICIPAL_BODIES and shoot.municipality is not None:
        ja, en = MUNICIPAL_BODIES[kind]
        town = shoot.municipality
        body = AuthorityInfo(id=None, code=f"{kind}:{town.code}", kind=kind, name_ja=ja.format(name=town.name_ja),
                             name_en=en.format(name=town.name_en), lat=None, lon=None,
                             prefecture_codes=(shoot.prefecture_code,) if shoot.prefecture_code else (),
                             municipality_code=town.code, jurisdiction="municipalities", served=(town.code,))
        return RoutedAuthority(body, None, "jurisdiction", derived=True)
    if kind in PREFECTURAL_BODIES and shoot.prefecture is not None:
        ja, en = PREFECTURAL_BODIES[kind]
        pref = shoot.prefecture
        body = AuthorityInfo(id=None, code=f"{kind}:{pref.code}", kind=kind, name_ja=ja.format(name=pref.name_ja),
                             name_en=en.format(name=pref.name_en), lat=None, lon=None, prefecture_codes=(pref.code,),
                             jurisdiction="prefecture")
        return RoutedAuthority(body, None, "jurisdiction", derived=True)
    return None


def route(shoot: Shoot, kind: str, rules: RuleBook) -> tuple[Optional[RoutedAuthority], Optional[str]]:
    """The office for ``kind`` at the shoot, down the rungs: a confirmed jurisdiction that covers the place
    (or the municipality's or prefecture's own body by law) → an office in the same municipality → the
    nearest office of the kind in the prefecture (a candidate: its area is not known) → the parent body of
    a broader kind → the film commission. Returns (routed authority with its rung, kind actually used)."""
    towns = [c for c in (shoot.municipality_code, shoot.parent_municipality_code) if c]
    pref = shoot.prefecture_code or ""

    def at(*keys: str) -> list[AuthorityInfo]:
        return list({a.code: a for key in keys for a in rules.places.get((kind, key), ())}.values())

    chosen = _nearest(shoot, at(*(f"j:{t}" for t in towns), f"jp:{pref}"), "jurisdiction") or _derived(shoot, kind)
    if chosen is None:
        chosen = _nearest(shoot, at(*(f"m:{t}" for t in towns)), "same_municipality")
    if chosen is None and pref:
        chosen = _nearest(shoot, at(f"p:{pref}"), "nearest_candidate")
    if chosen is not None:
        return chosen, kind
    for used in KIND_EQUIVALENTS.get(kind, ()):
        parents = [a for a in rules.authorities.get(used, ()) if shoot.prefecture_code in a.prefecture_codes]
        chosen = _nearest(shoot, parents, "parent")
        if chosen is not None:
            return chosen, used
    fcs = list(rules.commissions.get(shoot.prefecture_code or "", ()))
    local = [f for f in fcs if f.municipality_code in towns]
    chosen = _nearest(shoot, local or fcs, "film_commission")
    if chosen is not None:
        return chosen, "film_commission"
    return None, None


# --------------------------------------------------------------------------------------------- messages

_TEXT: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": MappingProxyType({
        "trigger": "{activity} → {permit} ({law})",
        "condition": " — only if: {condition}",
        "typical": "{article} {category} location usually needs the {permit}",
        "typical_plain": "this location usually needs the {permit}",
        "equivalent": "apply at the local {kind}; none is on record, so this is the {used} above it: {name}",
        "other_town": "the nearest known {kind} is in another municipality: confirm it covers this place",
        "candidate": "routing: nearest known {kind} ({distance}), its area is not on record: confirm it covers "
                     "this place",
        "candidate_unconfirmed": "this office comes from OpenStreetMap and is not confirmed",
        "derived": "routing: {name}, by law the {body}'s own office; contact details are not on record",
        "via_fc": "routing: no {kind} is on record here; ask “{name}”, who know the local offices",
        "coords_estimate": "the authority's position is approximate, so the distance is too",
        "no_authority": "{permit}: no office of the kind “{kind}” is on record for this place; ask the local "
                        "film commission which office handles it",
        "past_start": "the start date {date} is in the past",
        "end_before_start": "the end date {end} is before the start date {start}",
        "too_late": "{permit}: too late: the latest safe filing date {date} has passed",
        "estimates": "some lead times or requirements are estimates, not confirmed rules: {permits}",
        "unknown_activity": "unknown activity {code!r} was ignored",
        "unknown_permit": "unknown permit type {code!r} was ignored",
        "needed_because": "needed: {answers}",
        "not_needed_because": "not needed: {answers}",
        "to_confirm": "to confirm: {questions} — ask “{whom}” if unsure",
        "answered": "{question} {answer}",
        "by_producer": "you answered {answer}",
        "by_data": "{answer}: {note}",
        "yes": "yes", "no": "no",
        "municipality": "municipality", "prefecture": "prefecture",
        "the_office": "the office above",
    }),
    "ja": MappingProxyType({
        "trigger": "{activity} → {permit}({law})",
        "condition": " — 適用条件: {condition}",
        "typical": "{category}のロケ地では通常、{permit}が必要です",
        "typical_plain": "このロケ地では通常、{permit}が必要です",
        "equivalent": "所轄の{kind}に申請してください。登録がないため上位の{used}を示します: {name}",
        "other_town": "登録されている最寄りの{kind}は別の市区町村にあります。管轄を確認してください",
        "candidate": "窓口: 登録されている最寄りの{kind}({distance})。管轄区域の記録がないため、この場所を担当するか"
                     "確認してください",
        "candidate_unconfirmed": "この窓口はOpenStreetMapのデータで、未確認です",
        "derived": "窓口: {name}(法令上{body}自身の機関)。連絡先は登録されていません",
        "via_fc": "窓口: この場所の{kind}は登録されていません。地元の窓口に詳しい{name}に確認してください",
        "coords_estimate": "窓口の位置は概略のため、距離も概算です",
        "no_authority": "{permit}: この場所の{kind}は登録されていません。地元のフィルムコミッションに"
                        "窓口を確認してください",
        "past_start": "開始日 {date} は過去の日付です",
        "end_before_start": "終了日 {end} が開始日 {start} より前です",
        "too_late": "{permit}: 間に合いません。安全な申請期限 {date} を過ぎています",
        "estimates": "一部の所要日数や要件は推定値で、確認済みの規則ではありません: {permits}",
        "unknown_activity": "不明な撮影内容 {code!r} は無視しました",
        "unknown_permit": "不明な許可種別 {code!r} は無視しました",
        "needed_because": "必要: {answers}",
        "not_needed_because": "不要: {answers}",
        "to_confirm": "要確認: {questions} — 不明な場合は{whom}に確認してください",
        "answered": "{question} {answer}",
        "by_producer": "回答: {answer}",
        "by_data": "{answer}: {note}",
        "yes": "はい", "no": "いいえ",
        "municipality": "市区町村", "prefecture": "都道府県",
        "the_office": "上記の窓口",
    }),
    "zh_Hans": MappingProxyType({
        "trigger": "{activity} → {permit}（{law}）",
        "condition": " — 适用条件：{condition}",
        "typical": "{category}类拍摄地通常需要{permit}",
        "typical_plain": "此拍摄地通常需要{permit}",
        "equivalent": "请向当地的{kind}申请；因无登记，此处显示其上级{used}：{name}",
        "other_town": "已登记的最近的{kind}位于其他市区町村：请确认其是否管辖此地",
        "candidate": "窗口：已登记的最近的{kind}（{distance}），其管辖区域无记录：请确认其是否负责此地",
        "candidate_unconfirmed": "此窗口来自OpenStreetMap数据，尚未确认",
        "derived": "窗口：{name}（依法为{body}自身的机关）；无联系方式记录",
        "via_fc": "窗口：此地无{kind}的登记；请询问熟悉当地机关的“{name}”",
        "coords_estimate": "该机关的位置为概略位置，因此距离也是估算",
        "no_authority": "{permit}：此地没有登记“{kind}”类机关；请向当地的影视委员会确认由哪个机关受理",
        "past_start": "开始日期 {date} 已经过去",
        "end_before_start": "结束日期 {end} 早于开始日期 {start}",
        "too_late": "{permit}：来不及了：安全的最晚申请日期 {date} 已过",
        "estimates": "部分所需天数或要求为估计值，并非已确认的规则：{permits}",
        "unknown_activity": "已忽略未知的拍摄内容 {code!r}",
        "unknown_permit": "已忽略未知的许可种类 {code!r}",
        "needed_because": "需要：{answers}",
        "not_needed_because": "不需要：{answers}",
        "to_confirm": "待确认：{questions} — 如不确定，请询问“{whom}”",
        "answered": "{question} {answer}",
        "by_producer": "您的回答：{answer}",
        "by_data": "{answer}：{note}",
        "yes": "是", "no": "否",
        "municipality": "市区町村", "prefecture": "都道府县",
        "the_office": "上述窗口",
    }),
    "zh_Hant": MappingProxyType({
        "trigger": "{activity} → {permit}（{law}）",
        "condition": " — 適用條件：{condition}",
        "typical": "{category}類拍攝地通常需要{permit}",
        "typical_plain": "此拍攝地通常需要{permit}",
        "equivalent": "請向當地的{kind}申請；因無登記，此處顯示其上級{used}：{name}",
        "other_town": "已登記的最近的{kind}位於其他市區町村：請確認其是否管轄此地",
        "candidate": "窗口：已登記的最近的{kind}（{distance}），其管轄區域無記錄：請確認其是否負責此地",
        "candidate_unconfirmed": "此窗口來自OpenStreetMap資料，尚未確認",
        "derived": "窗口：{name}（依法為{body}本身的機關）；無聯絡方式記錄",
        "via_fc": "窗口：此地無{kind}的登記；請詢問熟悉當地機關的「{name}」",
        "coords_estimate": "該機關的位置為概略位置，因此距離也是估算",
        "no_authority": "{permit}：此地沒有登記「{kind}」類機關；請向當地的影視委員會確認由哪個機關受理",
        "past_start": "開始日期 {date} 已經過去",
        "end_before_start": "結束日期 {end} 早於開始日期 {start}",
        "too_late": "{permit}：來不及了：安全的最晚申請日期 {date} 已過",
        "estimates": "部分所需天數或要求為估計值，並非已確認的規則：{permits}",
        "unknown_activity": "已忽略未知的拍攝內容 {code!r}",
        "unknown_permit": "已忽略未知的許可種類 {code!r}",
        "needed_because": "需要：{answers}",
        "not_needed_because": "不需要：{answers}",
        "to_confirm": "待確認：{questions} — 如不確定，請詢問「{whom}」",
        "answered": "{question} {answer}",
        "by_producer": "您的回答：{answer}",
        "by_data": "{answer}：{note}",
        "yes": "是", "no": "否",
        "municipality": "市區町村", "prefecture": "都道府縣",
        "the_office": "上述窗口",
    }),
    "ko": MappingProxyType({
        "trigger": "{activity} → {permit}({law})",
        "condition": " — 적용 조건: {condition}",
        "typical": "{category} 촬영지는 보통 {permit}이(가) 필요합니다",
        "typical_plain": "이 촬영지는 보통 {permit}이(가) 필요합니다",
        "equivalent": "관할 {kind}에 신청하세요. 등록된 곳이 없어 상위 {used}을(를) 표시합니다: {name}",
        "other_town": "등록된 가장 가까운 {kind}은(는) 다른 시구정촌에 있습니다. 관할 여부를 확인하세요",
        "candidate": "창구: 등록된 가장 가까운 {kind}({distance}). 관할 구역 기록이 없으니 이곳을 담당하는지 "
                     "확인하세요",
        "candidate_unconfirmed": "이 창구는 OpenStreetMap 데이터에서 온 것으로 확인되지 않았습니다",
        "derived": "창구: {name}(법령상 {body} 자체의 기관). 연락처는 등록되어 있지 않습니다",
        "via_fc": "창구: 이곳의 {kind}은(는) 등록되어 있지 않습니다. 지역 기관을 잘 아는 “{name}”에 문의하세요",
        "coords_estimate": "기관의 위치가 대략적이므로 거리도 어림값입니다",
        "no_authority": "{permit}: 이곳에는 “{kind}” 기관이 등록되어 있지 않습니다. 지역 필름 커미션에 담당 기관을 "
                        "확인하세요",
        "past_start": "시작일 {date}은(는) 이미 지났습니다",
        "end_before_start": "종료일 {end}이(가) 시작일 {start}보다 앞입니다",
        "too_late": "{permit}: 늦었습니다. 안전한 최종 신청일 {date}이(가) 지났습니다",
        "estimates": "일부 소요 일수나 요건은 확인된 규칙이 아닌 추정치입니다: {permits}",
        "unknown_activity": "알 수 없는 촬영 내용 {code!r}은(는) 무시했습니다",
        "unknown_permit": "알 수 없는 허가 종류 {code!r}은(는) 무시했습니다",
        "needed_because": "필요: {answers}",
        "not_needed_because": "불필요: {answers}",
        "to_confirm": "확인 필요: {questions} — 잘 모르면 “{whom}”에 문의하세요",
        "answered": "{question} {answer}",
        "by_producer": "답변: {answer}",
        "by_data": "{answer}: {note}",
        "yes": "예", "no": "아니요",
        "municipality": "시구정촌", "prefecture": "도도부현",
        "the_office": "위의 창구",
    }),
})

_ONLY_IF = re.compile(r"^(only if|if)\s+", re.IGNORECASE)
_LAW_END = re.compile(r"[((;]| \+ ")


def short_law(legal_basis: str) -> str:
    """The statute and article a permit rests on, without the explanations that follow it."""
    return _LAW_END.split(legal_basis, maxsplit=1)[0].strip() or legal_basis.strip()


def _kind_name(rules: RuleBook, kind: str, lang: Lang, in_sentence: bool = False, tr: Translate = _same) -> str:
    label = rules.kinds.get(kind)
    name = tr(label.name(lang)) if label else kind.replace("_", " ")
    # "the local police station", not "the local Police station" (names are stored capitalised), but
    # "Ministry of the Environment" keeps its capital: a proper name has other capitalised words.
    proper = any(word[:1].isupper() for word in name.split()[1:])
    return name[:1].lower() + name[1:] if in_sentence and lang == "en" and not proper else name


def _condition(link: ActivityLink, lang: Lang, tr: Translate = _same) -> Optional[str]:
    if lang == "ja":
        return link.condition_ja or link.condition_en
    if tr is not _same and link.condition_en:
        return tr(link.condition_en)  # the catalogue holds the seed's text as it is
    return _ONLY_IF.sub("", link.condition_en) if link.condition_en else link.condition_ja


# ----------------------------------------------------------------------------------------------- engine

def _answer_text(text: Mapping[str, str], lang: Lang, question: Question, answer: Answer,
                 tr: Translate = _same) -> str:
    shown = text.get(answer.value or "", answer.value or "")
    if question.unit and answer.value not in ("yes", "no"):
        shown = f"{shown} {question.unit}"
    said = text["by_data"].format(answer=shown, note=answer.note) if answer.by == "data" else \
        text["by_producer"].format(answer=shown)
    return f"{tr(question.text(lang))} {said}"


def plan_permits(shoot: Shoot, rules: RuleBook, today: date, lang: str = "en",
                 translate: Translate | None = None) -> PermitPlan:
    """The permits a shoot may need, each needed / to confirm / not needed with why, where to file it and by
    when; needed and to-confirm permits sorted by that date. ``lang`` is "ja", "en" or a reader language of
    _TEXT (zh_Hans, zh_Hant, ko), whose names come from the English ones through ``translate``."""
    text = _TEXT.get(lang, _TEXT["en"])
    tr = translate if translate is not None and lang not in ("ja", "en") else _same
    lang = "ja" if lang == "ja" else "en"  # from here on: the language of the records
    warnings: list[str] = []
    reasons: dict[str, list[str]] = {}
    outcome: dict[str, list[Optional[bool]]] = {}
    opens: dict[str, list[str]] = {}
    cache: dict[str, Answer] = {}

    def add(code: str, reason: str) -> None:
        found = reasons.setdefault(code, [])
        if reason not in found:
            found.append(reason)

    def answer(code: str) -> Answer:
        if code not in cache:
            question = rules.questions.get(code)
            cache[code] = answer_for(question, shoot.answers, shoot.facts, lang, tr) if question else Answer(None, "none")
        return cache[code]

    def said(codes: Iterable[str]) -> str:
        parts = []
        for code in codes:
            question = rules.questions.get(code)
            if question is not None:
                parts.append(_answer_text(text, lang, question, answer(code), tr))
        return "; ".join(parts)

    for activity_code in dict.fromkeys(shoot.activities):
        activity = rules.activities.get(activity_code)
        if activity is None:
            warnings.append(text["unknown_activity"].format(code=activity_code))
            continue
        for link in rules.links.get(activity_code, ()):
            permit = rules.permits.get(link.permit_code)
            if permit is None:
                continue
            reason = text["trigger"].format(activity=tr(activity.name(lang)), permit=tr(permit.name(lang)),
                                            law=short_law(permit.legal_basis))
            if not link.rule:
                condition = _condition(link, lang, tr)
                add(permit.code, reason + (text["condition"].format(condition=condition) if condition else ""))
                outcome.setdefault(permit.code, []).append(True)
                continue
            result, decided, still_open = evaluate(link.rule, lambda q: answer(q).value)
            outcome.setdefault(permit.code, []).append(result)
            if result is True:
                add(permit.code, f"{reason} — {text['needed_because'].format(answers=said(decided))}")
            elif result is False:
                add(permit.code, f"{reason} — {text['not_needed_because'].format(answers=said(decided))}")
            else:
                add(permit.code, reason)
                opens.setdefault(permit.code, []).extend(q for q in still_open if q not in opens.get(permit.code, ()))

    category = shoot.category or (rules.categories.get(shoot.category_code) if shoot.category_code else None)
    for code in dict.fromkeys(shoot.typical_permits):
        permit = rules.permits.get(code)
        if permit is None:
            warnings.append(text["unknown_permit"].format(code=code))
            continue
        outcome.setdefault(code, []).append(True)
        name = tr(permit.name(lang))
        label = tr(category.name(lang)) if category else (shoot.category_code or "").replace("_", " ")
        if not label:
            add(code, text["typical_plain"].format(permit=name))
        elif text is _TEXT["en"]:
            label = label.lower()
            article = "an" if label[0] in "aeiou" else "a"
            add(code, text["typical"].format(article=article, category=label, permit=name))
        else:
            add(code, text["typical"].format(category=label, permit=name))

    listed, not_needed = [], []
    routes: dict[str, tuple[Optional[RoutedAuthority], Optional[str]]] = {}  # several permits go to one kind
    for code, why in reasons.items():
        permit = rules.permits[code]
        results = outcome.get(code, [True])
        status = "needed" if True in results else ("to_confirm" if None in results else "not_needed")
        why = list(why)
        routed = used = None
        if status != "not_needed":
            if permit.authority_kind not in routes:
                routes[permit.authority_kind] = route(shoot, permit.authority_kind, rules)
            routed, used = routes[permit.authority_kind]
            _routing_reasons(shoot, rules, permit, routed, used, why, warnings, text, lang, tr)
        open_codes = tuple(opens.get(code, ())) if status == "to_confirm" else ()
        if open_codes:
            whom = routed.authority.name(lang) if routed is not None else text["the_office"]
            why.append(text["to_confirm"].format(
                questions="; ".join(tr(rules.questions[q].text(lang)) for q in open_codes if q in rules.questions),
                whom=whom))
        entry = RequiredPermit(
            code=code, name_ja=permit.name_ja, name_en=permit.name_en, legal_basis=permit.legal_basis,
            documents=permit.documents, authority=routed,
            latest_filing_date=business_days_before(shoot.start_date, permit.lead_business_days),
            lead_business_days=permit.lead_business_days, reasons=tuple(why), is_estimate=permit.is_estimate,
            status=status, open_questions=open_codes)
        (not_needed if status == "not_needed" else listed).append(entry)
    listed.sort(key=lambda p: (p.latest_filing_date, p.code))
    not_needed.sort(key=lambda p: p.code)

    if shoot.start_date < today:
        warnings.append(text["past_start"].format(date=shoot.start_date.isoformat()))
    if shoot.end_date < shoot.start_date:
        warnings.append(text["end_before_start"].format(start=shoot.start_date.isoformat(),
                                                        end=shoot.end_date.isoformat()))
    for permit in listed:  # never for permits the answers rule out
        if permit.latest_filing_date < today:
            warnings.append(text["too_late"].format(permit=tr(permit.name(lang)),
                                                    date=permit.latest_filing_date.isoformat()))
    estimates = [tr(p.name(lang)) for p in listed if p.is_estimate]
    if estimates:
        warnings.append(text["estimates"].format(permits=", ".join(estimates)))
    asked: dict[str, list[str]] = {}
    for permit in listed:
        for code in permit.open_questions:
            asked.setdefault(code, []).append(permit.code)
    questions = tuple(OpenQuestion(rules.questions[code], tuple(codes), answer(code).note)
                      for code, codes in sorted(asked.items(), key=lambda item: (
                          rules.questions[item[0]].order if item[0] in rules.questions else 0, item[0]))
                      if code in rules.questions)
    return PermitPlan(permits=tuple(listed), warnings=tuple(warnings), not_needed=tuple(not_needed),
                      questions=questions)


def _routing_reasons(shoot: Shoot, rules: RuleBook, permit: PermitRule, routed: Optional[RoutedAuthority],
                     used: Optional[str], why: list[str], warnings: list[str], text: Mapping[str, str],
                     lang: Lang, tr: Translate = _same) -> None:
    """Say how sure the routing is (the rung), in the permit's reasons."""
    kind = _kind_name(rules, permit.authority_kind, lang, text is _TEXT["en"], tr)
    if routed is None:
        warnings.append(text["no_authority"].format(permit=tr(permit.name(lang)), kind=kind))
        return
    authority = routed.authority
    if routed.rung == "parent":
        why.append(text["equivalent"].format(kind=kind, used=_kind_name(rules, used, lang, text is _TEXT["en"], tr),
                                             name=authority.name(lang)))
    elif routed.rung == "film_commission":
        why.append(text["via_fc"].format(kind=kind, name=authority.name(lang)))
    elif routed.rung == "nearest_candidate":
        distance = f"{routed.distance_km:.1f} km" if routed.distance_km is not None else "?"
        why.append(text["candidate"].format(kind=kind, distance=distance))
    elif routed.derived:
        body = text["municipality"] if authority.jurisdiction == "municipalities" else text["prefecture"]
        why.append(text["derived"].format(body=body, name=authority.name(lang)))
    if authority.is_candidate:
        why.append(text["candidate_unconfirmed"])
    if authority.coords_are_estimate and routed.distance_km is not None:
        why.append(text["coords_estimate"])


def _permit_json(p: RequiredPermit, lang: Lang) -> dict[str, Any]:
    return {
            "permit_type": p.code,
            "name": p.name(lang),
            "legal_basis": p.legal_basis,
            "status": p.status,
            "authority": None if p.authority is None else {
                "code": p.authority.authority.code,
                "name": p.authority.authority.name(lang),
                "kind": p.authority.authority.kind,
                "distance_km": None if p.authority.distance_km is None else round(p.authority.distance_km, 3),
                "routing": p.authority.rung,
                "unconfirmed": p.authority.authority.is_candidate or p.authority.rung == "nearest_candidate",
                "derived": p.authority.derived,
            },
            "latest_filing_date": p.latest_filing_date.isoformat(),
            "lead_business_days": p.lead_business_days,
            "documents": list(p.documents),
            "reasons": list(p.reasons),
            "open_questions": list(p.open_questions),
            "is_estimate": p.is_estimate,
    }


def plan_as_json(plan: PermitPlan, lang: Lang = "en") -> dict[str, Any]:
    """The plan as the API shows it: needed and to-confirm permits, the ruled-out ones, the open questions."""
    return {
        "permits": [_permit_json(p, lang) for p in plan.permits],
        "not_needed": [_permit_json(p, lang) for p in plan.not_needed],
        "questions": [{"code": q.question.code, "kind": q.question.kind, "text": q.question.text(lang),
                       "unit": q.question.unit, "permits": list(q.permits), "hint": q.hint or None}
                      for q in plan.questions],
        "warnings": list(plan.warnings),
    }


# ===================================================================================== database adapter
# Everything above is pure. This reads the current rows into the frozen inputs; models are imported here
# so importing the engine needs neither Flask nor a database.

def load_rules(session) -> RuleBook:
    """The rule book from the database as it is now (authorities added at runtime included)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from ..directory.models import FilmCommission, Municipality, Prefecture
    from .models import (
        Activity,
        ActivityPermit,
        AuthorityKind,
        PermitAuthority,
        PermitQuestion,
        PermitType,
        authority_municipality,
        authority_prefecture,
    )

    kinds = {k.id: k for k in session.scalars(select(AuthorityKind))}
    permit_rows = list(session.scalars(select(PermitType)))
    activities = list(session.scalars(select(Activity)))
    permit_codes = {p.id: p.code for p in permit_rows}
    activity_codes = {a.id: a.code for a in activities}
    links = session.scalars(select(ActivityPermit).order_by(ActivityPermit.id))
    # Thousands of candidate offices: plain rows, not ORM objects with their collections.

    prefs: dict[int, list[str]] = {}
    for authority_id, code in session.execute(select(authority_prefecture.c.authority_id, Prefecture.code).join(
            Prefecture, Prefecture.id == authority_prefecture.c.prefecture_id).order_by(Prefecture.code)):
        prefs.setdefault(authority_id, []).append(code)
    served: dict[int, list[str]] = {}
    for authority_id, code in session.execute(select(authority_municipality.c.authority_id, Municipality.code).join(
            Municipality, Municipality.id == authority_municipality.c.municipality_id)):
        served.setdefault(authority_id, []).append(code)
    town_codes = dict(session.execute(select(Municipality.id, Municipality.code)).all())
    rows = session.execute(select(
        PermitAuthority.id, PermitAuthority.code, PermitAuthority.kind_id, PermitAuthority.name_ja,
        PermitAuthority.name_en, PermitAuthority.lat, PermitAuthority.lon, PermitAuthority.municipality_id,
        PermitAuthority.coords_are_estimate, PermitAuthority.is_estimate, PermitAuthority.jurisdiction,
        PermitAuthority.parent_id, PermitAuthority.takes_applications, PermitAuthority.is_candidate)).all()
    codes = {r.id: r.code for r in rows}
    commissions = session.scalars(select(FilmCommission).options(
        selectinload(FilmCommission.prefecture), selectinload(FilmCommission.municipality)))
    return RuleBook.build(
        permits=[PermitRule(
            code=p.code, name_ja=p.name_ja, name_en=p.name_en, authority_kind=kinds[p.authority_kind_id].code,
            legal_basis=p.legal_basis, lead_business_days=p.lead_business_days, documents=tuple(p.documents),
            is_estimate=bool(p.is_estimate), source=p.source) for p in permit_rows],
        activities=[ActivityInfo(a.code, a.name_ja, a.name_en) for a in activities],
        links=[ActivityLink(activity_codes[link.activity_id], permit_codes[link.permit_type_id],
                            link.condition_ja, link.condition_en, link.rule or None) for link in links],
        authorities=[AuthorityInfo(
            id=a.id, code=a.code, kind=kinds[a.kind_id].code, name_ja=a.name_ja, name_en=a.name_en,
            lat=a.lat, lon=a.lon, prefecture_codes=tuple(prefs.get(a.id, ())),
            municipality_code=town_codes.get(a.municipality_id),
            coords_are_estimate=bool(a.coords_are_estimate), is_estimate=bool(a.is_estimate),
            jurisdiction=a.jurisdiction or "unknown", served=tuple(served.get(a.id, ())),
            parent_code=codes.get(a.parent_id), takes_applications=bool(a.takes_applications),
            is_candidate=bool(a.is_candidate))
            for a in rows],
        kinds=[Label(k.code, k.name_ja, k.name_en) for k in kinds.values()],
        questions=[Question(q.code, q.kind, q.text_ja, q.text_en, q.unit, q.answered_by, q.sort_order)
                   for q in session.scalars(select(PermitQuestion))],
        commissions=[AuthorityInfo(
            id=None, code=f"fc:{f.slug}", kind="film_commission", name_ja=f.name_ja, name_en=f.name_en,
            lat=f.lat, lon=f.lon, prefecture_codes=(f.prefecture.code,),
            municipality_code=f.municipality.code if f.municipality else None,
            coords_are_estimate=bool(f.coords_approximate)) for f in commissions],
        towns=[town_place(*row) for row in session.execute(select(
            Municipality.code, Municipality.name_ja, Municipality.name_romaji, Municipality.is_ward,
            Prefecture.code, Prefecture.name_ja, Prefecture.name_en).join(Municipality.prefecture))],
    )
