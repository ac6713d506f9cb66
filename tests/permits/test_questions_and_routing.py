"""Questions instead of "only if" (issue 13 §2) and the routing rungs (§3), on the pure engine."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from locations.permits.engine import (
    ActivityInfo,
    ActivityLink,
    Fact,
    Label,
    Question,
    RuleBook,
    evaluate,
    parse_rule,
    plan_permits,
)
from tests.permits.test_permits_engine import authority, rule, shoot

TODAY = date(2027, 1, 4)
Q_NIGHT = Question("night", "yes_no", "夜間に飛ばしますか?", "Will it fly at night?")
Q_DID = Question("in_did", "yes_no", "DIDの上空ですか?", "Over a DID?", answered_by="did")
Q_FUEL = Question("fuel_l", "number", "燃料は何Lですか?", "How many litres?", unit="L")


def drone_book(authorities=(), commissions=()):
    return RuleBook.build(
        [rule("DRONE", kind="mlit_civil_aviation", lead=10), rule("SMALL", lead=3), rule("BIG", lead=7)],
        [ActivityInfo("drone", "ドローン", "Drone"),
         ActivityInfo("fuel", "燃料", "Fuel")],
        [ActivityLink("drone", "DRONE", rule="in_did=yes|night=yes"),
         ActivityLink("fuel", "SMALL", rule="fuel_l=40..199"), ActivityLink("fuel", "BIG", rule="fuel_l>=200")],
        authorities, questions=[Q_NIGHT, Q_DID, Q_FUEL], commissions=commissions)


def statuses(plan):
    return {p.code: p.status for p in (*plan.permits, *plan.not_needed)}


# ----------------------------------------------------------------------------------------------- rules

@pytest.mark.parametrize("rule_text, answers, expected", [
    ("a=yes|b=yes", {"a": "yes"}, True),
    ("a=yes|b=yes", {"a": "no", "b": "no"}, False),
    ("a=yes|b=yes", {"a": "no"}, None),  # b unknown: to confirm
    ("a=yes&b=yes", {"a": "no"}, False),  # one "no" settles a conjunction
    ("a=yes&b=yes", {"a": "yes"}, None),
    ("n=40..199", {"n": "40"}, True), ("n=40..199", {"n": "199"}, True), ("n=40..199", {"n": "39"}, False),
    ("n>=200", {"n": "200"}, True), ("n>=200", {"n": "199.5"}, False), ("n<5", {"n": "4"}, True),
    ("n>=200", {"n": "lots"}, None),
])
def test_three_valued_rules(rule_text, answers, expected):
    assert evaluate(rule_text, answers.get)[0] is expected


@pytest.mark.parametrize("bad", ["a", "a=maybe", "A=yes", "a>=x", "a=yes|", "a=1..", "a==yes"])
def test_bad_rules_are_refused(bad):
    with pytest.raises(ValueError):
        parse_rule(bad)


# --------------------------------------------------------------------------------------------- statuses

def test_unanswered_questions_make_a_permit_to_confirm_with_what_to_ask_whom():
    cab = authority("cab", kind="mlit_civil_aviation", jurisdiction="prefecture")
    plan = plan_permits(shoot(["drone"]), drone_book([cab]), TODAY)
    (permit,) = plan.permits
    assert permit.status == "to_confirm" and set(permit.open_questions) == {"in_did", "night"}
    assert any(r.startswith("to confirm: Over a DID?; Will it fly at night? — ask “cab office”") for r in permit.reasons)
    assert [q.question.code for q in plan.questions] == ["in_did", "night"]
    assert plan.questions[0].permits == ("DRONE",)


def test_the_map_answers_when_it_can_and_says_so():
    facts = {"did": Fact("yes", "高松市のDID内", "inside the DID of 高松市")}
    plan = plan_permits(shoot(["drone"], facts=facts), drone_book(), TODAY)
    assert plan.permits[0].status == "needed"
    assert any("needed: Over a DID? yes: inside the DID of 高松市" in r for r in plan.permits[0].reasons)
    ja = plan_permits(shoot(["drone"], facts=facts), drone_book(), TODAY, lang="ja")
    assert any("必要: DIDの上空ですか? はい: 高松市のDID内" in r for r in ja.permits[0].reasons)


def test_the_producer_can_rule_a_permit_out_and_it_leaves_the_too_late_warnings():
    facts = {"did": Fact("no", "DIDの外", "outside every DID")}
    late = shoot(["drone"], start=date(2027, 1, 6), facts=facts)
    assert any("too late" in w for w in plan_permits(late, drone_book(), TODAY).warnings)
    plan = plan_permits(shoot(["drone"], start=date(2027, 1, 6), facts=facts, answers={"night": "no"}),
                        drone_book(), TODAY)
    assert plan.permits == () and statuses(plan) == {"DRONE": "not_needed"}
    assert not any("too late" in w for w in plan.warnings)
    assert any(r.startswith("Drone → DRONE notice") and "not needed:" in r and "you answered no" in r
               for r in plan.not_needed[0].reasons)


def test_the_producers_answer_wins_over_the_map():
    facts = {"did": Fact("yes", "DID内", "inside a DID")}
    plan = plan_permits(shoot(["drone"], facts=facts, answers={"in_did": "no", "night": "no"}), drone_book(), TODAY)
    assert statuses(plan) == {"DRONE": "not_needed"}


@pytest.mark.parametrize("litres, small, big", [
    ("10", "not_needed", "not_needed"), ("40", "needed", "not_needed"), ("199", "needed", "not_needed"),
    ("200", "not_needed", "needed")])
def test_fuel_litres_choose_the_notice_or_the_approval(litres, small, big):
    plan = plan_permits(shoot(["fuel"], answers={"fuel_l": litres}), drone_book(), TODAY)
    assert statuses(plan) == {"SMALL": small, "BIG": big}


# ---------------------------------------------------------------------------------------------- routing

PLACE = dict(municipality=Label("37202", "丸亀市", "Marugame"), prefecture=Label("37", "香川県", "Kagawa"))


def fire_book(authorities, commissions=()):
    return RuleBook.build([rule("SMOKE")], [ActivityInfo("smoke", "煙", "Smoke")],
                          [ActivityLink("smoke", "SMOKE")], authorities, commissions=commissions)


def routed(plan):
    return plan.permits[0].authority


def test_rung_1_a_confirmed_jurisdiction_beats_a_nearer_office():
    union = authority("union", lat=34.40, lon=133.90, jurisdiction="municipalities", served=("37202",))
    near = authority("near", lat=34.29, lon=133.80, municipality="37202")
    r = routed(plan_permits(shoot(municipality="37202", lat=34.29, lon=133.80), fire_book([near, union]), TODAY))
    assert (r.authority.code, r.rung) == ("union", "jurisdiction")


def test_rung_1_a_wards_city_counts_as_the_jurisdiction():
    city = authority("city", jurisdiction="municipalities", served=("01100",), prefectures=("01",))
    plan = plan_permits(shoot(prefecture="01", municipality="01101", parent_municipality_code="01100"),
                        fire_book([city]), TODAY)
    assert routed(plan).rung == "jurisdiction"


def test_rung_2_an_office_in_the_same_municipality():
    near = authority("near", municipality="37202", is_candidate=True)
    r = routed(plan_permits(shoot(municipality="37202"), fire_book([near]), TODAY))
    assert (r.authority.code, r.rung) == ("near", "same_municipality")
    reasons = plan_permits(shoot(municipality="37202"), fire_book([near]), TODAY).permits[0].reasons
    assert any("OpenStreetMap" in r and "not confirmed" in r for r in reasons)


def test_rung_3_the_nearest_candidate_is_flagged_with_its_distance():
    far = authority("far", municipality="37201", lat=34.34, lon=134.05)
    plan = plan_permits(shoot(municipality="37202", lat=34.29, lon=133.80), fire_book([far]), TODAY)
    assert routed(plan).rung == "nearest_candidate"
    assert any("confirm it covers this place" in r and "km" in r for r in plan.permits[0].reasons)


def test_rung_4_the_parent_body():
    hq = authority("hq", kind="police_headquarters", jurisdiction="prefecture")
    book_ = RuleBook.build([rule("ROAD", kind="police_station")], [
        ActivityInfo("road", "道路", "Road")],
        [ActivityLink("road", "ROAD")], [hq])
    r = routed(plan_permits(shoot(["road"]), book_, TODAY))
    assert (r.authority.code, r.rung) == ("hq", "parent")


def test_rung_5_the_film_commission_never_an_empty_ask_the_fc():
    fc = authority("fc:kagawa", kind="film_commission")
    plan = plan_permits(shoot(), fire_book([], commissions=[fc]), TODAY)
    assert routed(plan).rung == "film_commission"
    assert any("ask “fc:kagawa office”" in r for r in plan.permits[0].reasons)
    assert not any("no office" in w for w in plan.warnings)
    assert any("no office" in w for w in plan_permits(shoot(), fire_book([]), TODAY).warnings)


def test_the_municipalitys_own_body_by_law_is_named():
    book_ = RuleBook.build([rule("CULT", kind="board_of_education")], [
        ActivityInfo("c", "文化財", "Cultural")],
        [ActivityLink("c", "CULT")], [])
    plan = plan_permits(replace(shoot(["c"], municipality="37202"), **PLACE), book_, TODAY)
    r = routed(plan)
    assert (r.authority.name_ja, r.rung, r.derived) == ("丸亀市教育委員会", "jurisdiction", True)
    assert any("Marugame Board of Education" in x for x in plan.permits[0].reasons)
