"""The permit rules engine: by hand-built inputs without an app, then over the seeded rules."""
import csv
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from locations.permits.engine import (
    ActivityInfo,
    ActivityLink,
    AuthorityInfo,
    Label,
    PermitRule,
    RuleBook,
    Shoot,
    business_days_before,
    is_business_day,
    plan_permits,
    short_law,
)

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
TODAY = date(2027, 1, 4)
TAKAMATSU = (34.3428, 134.0465)


def _codes(filename: str) -> list[str]:
    with open(SEEDS / filename, encoding="utf-8") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


PERMIT_CODES = _codes("permit_types.csv")
ACTIVITY_CODES = _codes("activities.csv")


# -------------------------------------------------------------------------------------- builders

def rule(code="SMOKE", kind="fire_department", lead=3, **overrides) -> PermitRule:
    values = dict(code=code, name_ja=f"{code}届", name_en=f"{code} notice", authority_kind=kind,
                  legal_basis="火災予防条例 (e.g. 東京都)", lead_business_days=lead, documents=("届出書",),
                  is_estimate=False, source="test")
    values.update(overrides)
    return PermitRule(**values)


def authority(code, kind="fire_department", lat=34.34, lon=134.05, prefectures=("37",), municipality=None,
              **overrides) -> AuthorityInfo:
    values = dict(id=None, code=code, kind=kind, name_ja=f"{code}署", name_en=f"{code} office", lat=lat, lon=lon,
                  prefecture_codes=prefectures, municipality_code=municipality)
    values.update(overrides)
    return AuthorityInfo(**values)


def book(rules=None, links=None, authorities=(), activities=None, kinds=(), categories=()) -> RuleBook:
    rules = rules if rules is not None else [rule()]
    links = links if links is not None else [ActivityLink("smoke", rules[0].code)]
    activities = activities if activities is not None else [
        ActivityInfo(code, f"{code}(ja)", code.replace("_", " ").capitalize())
        for code in dict.fromkeys(link.activity_code for link in links)]
    return RuleBook.build(rules, activities, links, authorities, kinds, categories)


def shoot(activities=("smoke",), start=date(2027, 5, 10), end=None, lat=TAKAMATSU[0], lon=TAKAMATSU[1],
          prefecture="37", municipality="37201", **overrides) -> Shoot:
    return Shoot(lat=lat, lon=lon, prefecture_code=prefecture, municipality_code=municipality, start_date=start,
                 end_date=end or start + timedelta(days=4), activities=tuple(activities), **overrides)


# --------------------------------------------------------------------------------- business days

def _independent_count(after: date, before: date) -> int:
    """Business days strictly between two dates, straight from holidays.Japan and the 12/29–1/3 closure."""
    calendar = holidays.Japan(years=range(after.year, before.year + 1))
    day, count = after + timedelta(days=1), 0
    while day < before:
        closed = (day.month, day.day) >= (12, 29) or (day.month, day.day) <= (1, 3)
        count += day.weekday() < 5 and day not in calendar and not closed
        day += timedelta(days=1)
    return count


def test_golden_week_is_skipped():
    filing = business_days_before(date(2027, 5, 10), 10)
    assert filing == date(2027, 4, 20)
    calendar = holidays.Japan(years=2027)
    # Showa Day and the three May holidays fall inside the window and are skipped, as are the weekends.
    for holiday in (date(2027, 4, 29), date(2027, 5, 3), date(2027, 5, 4), date(2027, 5, 5)):
        assert holiday in calendar and not is_business_day(holiday)
        assert filing < holiday < date(2027, 5, 10)
    assert _independent_count(filing, date(2027, 5, 10)) == 9  # the filing day itself is the 10th
    assert is_business_day(filing)


def test_new_year_closure_is_skipped():
    start = date(2027, 1, 8)
    assert business_days_before(start, 4) == date(2027, 1, 4)
    assert business_days_before(start, 5) == date(2026, 12, 28)
    assert business_days_before(start, 10) == date(2026, 12, 21)
    calendar = holidays.Japan(years=(2026, 2027))
    # 12/29–12/31 are weekdays and no public holidays, yet offices are closed.
    for day in (date(2026, 12, 29), date(2026, 12, 30), date(2026, 12, 31)):
        assert day.weekday() < 5 and day not in calendar and not is_business_day(day)
    assert not is_business_day(date(2027, 1, 1)) and not is_business_day(date(2027, 1, 2))
    assert _independent_count(date(2026, 12, 21), start) == 9


@pytest.mark.parametrize("start", [date(2027, 5, 10), date(2027, 1, 8), date(2026, 9, 24), date(2028, 1, 4)])
@pytest.mark.parametrize("lead", [1, 2, 3, 7, 10, 14, 30])
def test_business_days_agree_with_the_calendar(start, lead):
    filing = business_days_before(start, lead)
    assert is_business_day(filing) and _independent_count(filing, start) == lead - 1


def test_zero_lead_days_is_the_last_business_day():
    assert business_days_before(date(2027, 5, 10), 0) == date(2027, 5, 10)
    assert business_days_before(date(2027, 5, 5), 0) == date(2027, 4, 30)


def test_substitute_holiday_comes_from_the_package():
    # 2026-05-06 is a substitute holiday (5/3 fell on a Sunday): no hand-written list knows that by itself.
    assert date(2026, 5, 6) in holidays.Japan(years=2026) and not is_business_day(date(2026, 5, 6))


def test_filing_date_in_the_plan():
    plan = plan_permits(shoot(start=date(2027, 5, 10)), book([rule(lead=10)]), TODAY)
    assert plan.permits[0].latest_filing_date == date(2027, 4, 20)
    assert plan.permits[0].lead_business_days == 10


# -------------------------------------------------------------------------------------- warnings

def test_past_start_and_too_late_warnings():
    plan = plan_permits(shoot(start=date(2027, 1, 5)), book([rule(lead=3)]), today=date(2027, 1, 6))
    assert any("start date 2027-01-05 is in the past" in w for w in plan.warnings)
    assert any("too late: the latest safe filing date 2026-12-25 has passed" in w for w in plan.warnings)


def test_too_late_even_when_the_start_is_ahead():
    plan = plan_permits(shoot(start=date(2027, 5, 10)), book([rule(lead=10)]), today=date(2027, 5, 6))
    assert [w for w in plan.warnings if "too late" in w] and not [w for w in plan.warnings if "past" in w]


def test_in_time_has_no_date_warnings():
    plan = plan_permits(shoot(start=date(2027, 5, 10)), book([rule(lead=10)]), today=date(2027, 4, 20))
    assert not [w for w in plan.warnings if "late" in w or "past" in w]


def test_end_before_start_warns():
    plan = plan_permits(shoot(start=date(2027, 5, 10), end=date(2027, 5, 9)), book(), TODAY)
    assert any("end date 2027-05-09 is before the start date 2027-05-10" in w for w in plan.warnings)


def test_estimates_are_flagged():
    plan = plan_permits(shoot(), book([rule(is_estimate=True)]), TODAY)
    assert plan.permits[0].is_estimate and any("estimates" in w for w in plan.warnings)


def test_japanese_warnings():
    plan = plan_permits(shoot(start=date(2027, 1, 5)), book(), today=date(2027, 1, 6), lang="ja")
    assert any("過去の日付" in w for w in plan.warnings) and any("間に合いません" in w for w in plan.warnings)


# ------------------------------------------------------------------------------- triggers, merging

def test_conditions_are_reported_not_dropped():
    links = [ActivityLink("drone", "FLY", "DIDの上空の場合", "only if over a DID, at night")]
    plan = plan_permits(shoot(["drone"]), book([rule("FLY", "aviation", legal_basis="航空法第132条の85(空域)")],
                                              links), TODAY)
    (permit,) = plan.permits
    assert permit.reasons == ("Drone → FLY notice (航空法第132条の85) — only if: over a DID, at night",)
    ja = plan_permits(shoot(["drone"]), book([rule("FLY", "aviation", legal_basis="航空法第132条の85(空域)")], links),
                      TODAY, lang="ja").permits[0]
    assert ja.reasons[0] == "drone(ja) → FLY届(航空法第132条の85) — 適用条件: DIDの上空の場合"


def test_dedupe_merges_reasons_and_keeps_one_permit():
    rules = [rule("ROAD", "police_station", 7), rule("SMOKE")]
    links = [ActivityLink("road_filming", "ROAD"), ActivityLink("night", "ROAD", None, "lighting aimed at a road"),
             ActivityLink("smoke", "SMOKE")]
    plan = plan_permits(shoot(["road_filming", "night", "smoke", "night"], category_code="road",
                              typical_permits=("ROAD",)),
                        book(rules, links, categories=[Label("road", "道路", "Road")]), TODAY)
    assert [p.code for p in plan.permits].count("ROAD") == 1
    road = next(p for p in plan.permits if p.code == "ROAD")
    assert road.reasons[:3] == ("Road filming → ROAD notice (火災予防条例)",
                                "Night → ROAD notice (火災予防条例) — only if: lighting aimed at a road",
                                "a road location usually needs the ROAD notice")


def test_category_typical_permits_apply_on_their_own():
    rules = [rule("PARK", "park_administrator", 7)]
    plan = plan_permits(shoot([], category_code="park", typical_permits=("PARK",)),
                        book(rules, [], categories=[Label("park", "公園", "Park")]), TODAY)
    assert plan.permits[0].reasons == ("a park location usually needs the PARK notice",)
    ja = plan_permits(shoot([], category_code="park", typical_permits=("PARK",)),
                      book(rules, [], categories=[Label("park", "公園", "Park")]), TODAY, lang="ja")
    assert ja.permits[0].reasons[0] == "公園のロケ地では通常、PARK届が必要です"


def test_sorted_by_filing_date_then_code():
    rules = [rule("B", lead=3), rule("A", lead=3), rule("C", lead=30)]
    links = [ActivityLink("x", "B"), ActivityLink("x", "A"), ActivityLink("x", "C")]
    plan = plan_permits(shoot(["x"]), book(rules, links), TODAY)
    assert [p.code for p in plan.permits] == ["C", "A", "B"]


def test_unknown_codes_are_warned_about():
    plan = plan_permits(shoot(["smoke", "nope"], typical_permits=("NOPE",)), book(), TODAY)
    assert any("'nope'" in w for w in plan.warnings) and any("'NOPE'" in w for w in plan.warnings)


def test_short_law():
    assert short_law("航空法第132条の85(飛行禁止空域)・第132条の86") == "航空法第132条の85"
    assert short_law("contract with operator; 鉄道営業法") == "contract with operator"
    assert short_law("都市公園法第5条・第6条 + each municipality's 都市公園条例") == "都市公園法第5条・第6条"


# ---------------------------------------------------------------------------------------- routing

def test_routes_to_the_nearest_in_the_municipality():
    near = authority("near", lat=34.343, lon=134.047, municipality="37201")
    far = authority("far", lat=34.30, lon=134.06, municipality="37201")
    plan = plan_permits(shoot(), book(authorities=[far, near]), TODAY)
    routed = plan.permits[0].authority
    assert routed.authority.code == "near" and routed.distance_km < 0.5


def test_municipality_match_beats_a_nearer_body_elsewhere():
    own = authority("own", lat=34.30, lon=134.06, municipality="37201")
    neighbour = authority("neighbour", lat=34.3429, lon=134.0466, municipality="37202")
    plan = plan_permits(shoot(), book(authorities=[neighbour, own]), TODAY)
    assert plan.permits[0].authority.authority.code == "own"


def test_prefecture_fallback_picks_the_nearest_covering_body():
    other_pref = authority("okayama", lat=34.35, lon=134.05, prefectures=("33",))
    east = authority("east", lat=34.32, lon=134.30, prefectures=("37",))
    west = authority("west", lat=34.30, lon=133.70, prefectures=("37",))
    plan = plan_permits(shoot(), book(authorities=[other_pref, west, east]), TODAY)
    assert plan.permits[0].authority.authority.code == "east"


def test_prefecture_fallback_to_another_towns_body_says_so():
    takamatsu = authority("takamatsu", municipality="37201")
    plan = plan_permits(shoot(municipality="37202", lat=34.29, lon=133.80), book(authorities=[takamatsu]), TODAY)
    permit = plan.permits[0]
    assert permit.authority.authority.code == "takamatsu"
    # A Marugame shoot sent to a Takamatsu office: the nearest-candidate rung, with its distance, to confirm.
    assert permit.authority.rung == "nearest_candidate"
    assert any("confirm it covers this place" in r and " km" in r for r in permit.reasons)


def test_police_station_falls_back_to_the_prefectural_headquarters():
    rules = [rule("ROAD", "police_station", 7)]
    hq = authority("police-hq-37", kind="police_headquarters", name_en="Kagawa Prefectural Police Headquarters")
    hq_other = authority("police-hq-38", kind="police_headquarters", prefectures=("38",), lat=34.34, lon=134.05)
    kinds = [Label("police_station", "警察署", "Police station"),
             Label("police_headquarters", "都道府県警察本部", "Prefectural police headquarters")]
    plan = plan_permits(shoot(["road"]), book(rules, [ActivityLink("road", "ROAD")], [hq_other, hq], kinds=kinds),
                        TODAY)
    permit = plan.permits[0]
    assert permit.authority.authority.code == "police-hq-37"
    assert ("apply at the local police station; none is on record, so this is the prefectural police "
            "headquarters above it: Kagawa Prefectural Police Headquarters") in permit.reasons
    assert permit.authority.rung == "parent"
    ja = plan_permits(shoot(["road"]), book(rules, [ActivityLink("road", "ROAD")], [hq], kinds=kinds), TODAY, "ja")
    assert any(r.startswith("所轄の警察署に申請してください") for r in ja.permits[0].reasons)


def test_a_known_station_is_preferred_over_the_headquarters():
    rules = [rule("ROAD", "police_station", 7)]
    station = authority("station", kind="police_station", lat=34.30, lon=134.0, municipality="37201")
    hq = authority("hq", kind="police_headquarters")
    plan = plan_permits(shoot(["road"]), book(rules, [ActivityLink("road", "ROAD")], [hq, station]), TODAY)
    assert plan.permits[0].authority.authority.code == "station"
    assert not any("apply at the local" in r for r in plan.permits[0].reasons)


def test_no_authority_warns_and_suggests_the_film_commission():
    plan = plan_permits(shoot(), book(authorities=[authority("okayama", prefectures=("33",))]), TODAY)
    assert plan.permits[0].authority is None
    assert any("film commission" in w for w in plan.warnings)
    ja = plan_permits(shoot(), book(), TODAY, lang="ja")
    assert any("フィルムコミッション" in w for w in ja.warnings)


def test_unplaced_authority_still_routes_after_placed_ones():
    unplaced = authority("unplaced", lat=None, lon=None)
    assert plan_permits(shoot(), book(authorities=[unplaced]), TODAY).permits[0].authority.distance_km is None
    placed = authority("placed", lat=34.0, lon=134.0)
    assert plan_permits(shoot(), book(authorities=[unplaced, placed]), TODAY).permits[0].authority.authority.code \
        == "placed"


def test_engine_imports_neither_flask_nor_the_database():
    import ast
    import inspect

    import locations.permits.engine as engine

    tree = ast.parse(inspect.getsource(engine))
    top_level = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    names = {alias.name for node in top_level for alias in node.names} | {
        node.module or "" for node in top_level if isinstance(node, ast.ImportFrom)}
    assert not any(n.startswith(("flask", "sqlalchemy")) or n in ("models", ".models") for n in names)
    assert all(node.level == 0 for node in top_level if isinstance(node, ast.ImportFrom))


# ------------------------------------------------------------------------------- the seeded rules

@pytest.fixture
def rules(app_context):
    from locations.core.extensions import db
    from locations.permits.engine import load_rules

    return load_rules(db.session)


def _takamatsu(activities, **overrides):
    return shoot(activities, start=date(2027, 5, 10), **overrides)


def test_seeded_rules_are_complete(rules):
    assert sorted(rules.permits) == sorted(PERMIT_CODES) and len(PERMIT_CODES) == 31
    assert sorted(rules.activities) == sorted(ACTIVITY_CODES) and len(ACTIVITY_CODES) == 29


@pytest.mark.parametrize("code", PERMIT_CODES)
def test_every_permit_type_is_triggered_by_some_activity(rules, code):
    activity = next(a for a, links in rules.links.items() if any(link.permit_code == code for link in links))
    plan = plan_permits(_takamatsu([activity]), rules, TODAY)
    permit = next(p for p in plan.permits if p.code == code)
    assert permit.reasons and permit.documents and permit.legal_basis
    assert permit.latest_filing_date == business_days_before(date(2027, 5, 10), rules.permits[code].lead_business_days)


@pytest.mark.parametrize("activity", ACTIVITY_CODES)
def test_every_activity_triggers_its_linked_permits(rules, activity):
    plan = plan_permits(_takamatsu([activity]), rules, TODAY)
    expected = {link.permit_code for link in rules.links[activity]}
    assert expected and {p.code for p in plan.permits} == expected
    name = rules.activities[activity].name_en
    assert all(any(r.startswith(f"{name} → ") for r in p.reasons) for p in plan.permits)


def test_takamatsu_smoke_goes_to_the_nearest_takamatsu_fire_station(rules):
    plan = plan_permits(_takamatsu(["smoke_flame"]), rules, TODAY)
    permit = next(p for p in plan.permits if p.code == "FIRE_SMOKE_NOTICE")
    stations = rules.authorities["fire_department"]
    nearest = min((s for s in stations if s.code.startswith("takamatsu-fire-")),
                  key=lambda s: (s.lat - TAKAMATSU[0]) ** 2 + (s.lon - TAKAMATSU[1]) ** 2)
    assert permit.authority.authority.code == nearest.code and nearest.code.startswith("takamatsu-fire-")
    assert permit.latest_filing_date == date(2027, 4, 30)


def test_drone_in_kagawa_goes_to_osaka_and_in_tokyo_to_tokyo(rules):
    kagawa = plan_permits(_takamatsu(["drone"]), rules, TODAY)
    assert next(p for p in kagawa.permits if p.code == "DRONE_FLIGHT").authority.authority.code == "cab-osaka"
    tokyo = plan_permits(shoot(["drone"], lat=35.69, lon=139.69, prefecture="13", municipality="13104"), rules,
                         TODAY)
    assert next(p for p in tokyo.permits if p.code == "DRONE_FLIGHT").authority.authority.code == "cab-tokyo"


def test_road_filming_in_kagawa_goes_to_the_kagawa_police(rules):
    plan = plan_permits(_takamatsu(["road_filming"]), rules, TODAY)
    permit = next(p for p in plan.permits if p.code == "ROAD_USE")
    # Only the local station grants it: an OpenStreetMap 警察署 in Takamatsu, a candidate under the Kagawa HQ.
    station = permit.authority.authority
    assert station.kind == "police_station" and station.name_ja.endswith("警察署") and station.is_candidate
    assert permit.authority.rung == "same_municipality" and station.parent_code == "police-hq-37"
    assert any("OpenStreetMap" in r for r in permit.reasons)


def test_an_authority_added_at_runtime_takes_part_in_routing(app_context):
    from sqlalchemy import select

    from locations.core.extensions import db
    from locations.directory.models import Municipality, Prefecture
    from locations.permits.engine import load_rules
    from locations.permits.models import AuthorityKind, PermitAuthority

    kind = db.session.scalar(select(AuthorityKind).where(AuthorityKind.code == "fire_department"))
    marugame = db.session.scalar(select(Municipality).where(Municipality.code == "37202"))
    kagawa = db.session.scalar(select(Prefecture).where(Prefecture.code == "37"))
    # A Marugame shoot went to a Takamatsu station 15 km away; now to an OpenStreetMap station in Marugame
    # (a candidate), and an office recorded (as an admin or the authority's officer would) with Marugame in
    # its jurisdiction takes it from then on.
    point = dict(municipality="37202", lat=34.2896, lon=133.7979)
    before = plan_permits(_takamatsu(["smoke_flame"], **point), load_rules(db.session), TODAY)
    routed = next(p for p in before.permits if p.code == "FIRE_SMOKE_NOTICE").authority
    assert routed.authority.name_ja.startswith("丸亀") and routed.rung == "same_municipality"
    assert routed.authority.is_candidate
    added = PermitAuthority(code="test-fire-marugame", kind=kind, name_ja="テスト丸亀消防署", municipality=marugame,
                            lat=34.29, lon=133.80, source="test", prefectures=[kagawa],
                            jurisdiction="municipalities", served=[marugame])
    db.session.add(added)
    db.session.commit()
    try:
        plan = plan_permits(_takamatsu(["smoke_flame"], **point), load_rules(db.session), TODAY)
        routed = next(p for p in plan.permits if p.code == "FIRE_SMOKE_NOTICE").authority
        assert (routed.authority.code, routed.rung) == ("test-fire-marugame", "jurisdiction")
    finally:
        db.session.delete(db.session.get(PermitAuthority, added.id))
        db.session.commit()
