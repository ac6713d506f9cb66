"""The facts corrected from shared/reviews/domain-truth.md (issue 13 §4): each test fails on the old seed value."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from locations.core.extensions import db
from locations.directory.models import Municipality, RegionalBlock
from locations.library.models import LocationCategory
from locations.permits.models import ActivityPermit, PermitAuthority, PermitType


def ptype(code: str) -> PermitType:
    return db.session.scalar(select(PermitType).where(PermitType.code == code))


def link(activity: str, permit: str) -> ActivityPermit:
    return next(x for x in ptype(permit).activity_links if x.activity.code == activity)


def test_cultural_property_needs_two_months_through_the_board_of_education(app_context):
    cp = ptype("CULTURAL_PROPERTY")
    assert cp.lead_business_days >= 42  # was 30 business days (≈ 6 weeks); sources: ≥ 60 calendar days
    assert cp.authority_kind.code == "board_of_education"  # was "owner_and_agency…", which no office served
    assert "anjo" in cp.source and "第184条" in cp.legal_basis


def test_park_filming_takes_ten_business_days_under_the_park_ordinance(app_context):
    park = ptype("PARK_USE")
    assert park.lead_business_days >= 10  # was 7
    assert "行為許可" in park.legal_basis and "第5条" not in park.legal_basis  # 都市公園法5条 does not apply


def test_small_quantity_fuel_notice_and_the_ten_day_limit(app_context):
    small = ptype("FUEL_SMALL_QTY")  # did not exist: 100 L of generator gasoline got no warning
    assert small.authority_kind.code == "fire_department" and "第9条の4" in small.legal_basis
    assert link("generator_fuel", "FUEL_SMALL_QTY").rule == "fuel_gasoline_l=40..199|fuel_diesel_l=200..999"
    assert link("generator_fuel", "HAZMAT_TEMP").rule == "fuel_gasoline_l>=200|fuel_diesel_l>=1000"
    assert "10日以内" in ptype("HAZMAT_TEMP").legal_basis


def test_the_coast_has_its_permit(app_context):
    coast = ptype("COAST_USE")
    assert coast is not None and "第7条" in coast.legal_basis and "第37条の4" in coast.legal_basis
    assert coast.is_estimate  # the lead time is unverified and says so
    category = db.session.scalar(select(LocationCategory).where(LocationCategory.code == "coast"))
    assert "COAST_USE" in category.typical_permits  # was empty


def test_drone_flights_near_airports_go_to_the_airport_offices(app_context):
    permit = ptype("DRONE_AIRPORT_OFFICE")
    assert permit.authority_kind.code == "mlit_airport_office" and "2021-10-01" in permit.legal_basis
    offices = {a.code: {p.code for p in a.prefectures} for a in db.session.scalars(
        select(PermitAuthority).where(PermitAuthority.kind_id == permit.authority_kind_id))}
    assert {"22", "20", "15", "13", "01"} <= offices["airport-office-tokyo"]
    assert {"23", "16", "27", "47"} <= offices["airport-office-kansai"]
    assert not offices["airport-office-tokyo"] & offices["airport-office-kansai"]
    assert link("drone", "DRONE_AIRPORT_OFFICE").rule == (
        "drone_near_airport=yes|drone_high=yes|drone_emergency_airspace=yes")
    flight = ptype("DRONE_FLIGHT")
    assert "dangerous goods" in flight.triggers_en and "第132条の88" in flight.legal_basis


def test_key_facility_co_notifications(app_context):
    basis = ptype("DRONE_KEY_FACILITY").legal_basis
    assert "海上保安部" in basis and "皇宮警察本部長" in basis and "対象空港" in basis


def test_ports_outside_the_87_specified_ports_and_strong_lights(app_context):
    basis = ptype("PORT_WORK_EVENT").legal_basis
    assert "特定港 (87)" in basis and "海上保安部長" in basis and "Tokyo Bay, Ise Bay and the Seto Inland Sea" in basis
    assert "港湾法第37条第1項" in ptype("PORT_AREA_FILMING").legal_basis
    assert "港則法第36条" in ptype("PORT_STRONG_LIGHT").legal_basis


def test_national_forest_entry_is_a_permit(app_context):
    forest = ptype("NATIONAL_FOREST")
    assert "入林許可" in forest.name_ja and forest.is_estimate  # was "入林届"; lead time still unverified


def test_designated_places_include_studios_and_important_cultural_properties(app_context):
    assert "studios" in ptype("FIRE_PROHIBITED_ACT").triggers_en
    assert link("cultural_property", "FIRE_PROHIBITED_ACT").rule == "flame_at_important_property=yes"
    # A closed shoot with extras is not a public event: the notice waits for that answer.
    assert link("crowd_extras", "FIRE_EVENT_NOTICE").rule == "public_audience=yes"


@pytest.mark.parametrize("code, basis", [
    ("EXPRESSWAY_USE", "高速道路交通警察隊長"), ("FISHING_PORT", "漁港管理者"), ("AIRPORT_PREMISES", "空港管理者"),
    ("FIREWORKS_NOTICE", "第45条第2号"), ("AVIATION_99_2", "航空法第99条の2")])
def test_new_permit_types_with_their_basis_and_flags(app_context, code, basis):
    permit = ptype(code)
    assert permit is not None and basis in permit.legal_basis and permit.is_estimate and permit.activity_links


def test_hamamatsu_has_its_three_2024_wards(app_context):
    codes = set(db.session.scalars(select(Municipality.code).where(Municipality.code.like("2213%")))) | set(
        db.session.scalars(select(Municipality.code).where(Municipality.code == "22140")))
    assert {"22138", "22139", "22140"} <= codes
    assert not codes & {"22131", "22132", "22133", "22134", "22135", "22136", "22137"}


def test_blocks_without_a_source_are_estimates(app_context):
    flags = {b.code: b.is_estimate for b in db.session.scalars(select(RegionalBlock))}
    assert all(flags[c] for c in ("KNK", "CGK", "KYS", "OKN", "KNT", "HSE", "TKI"))
    assert not any(flags[c] for c in ("HKD", "THK", "SKK"))


@pytest.mark.parametrize("lang, date_text", [("en", "2025-03-25"), ("ja", "2025年3月25日")])
def test_the_guideline_page_names_the_2025_handbook(client, lang, date_text):
    html = client.get(f"/guideline?lang={lang}").get_data(as_text=True)
    assert "ロケ撮影ハンドブック" in html and date_text in html


def test_every_permit_type_keeps_a_source(app_context):
    assert all(p.source.strip() for p in db.session.scalars(select(PermitType)))
