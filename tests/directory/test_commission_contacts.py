"""Issue 13 §5: every prefecture has a film commission or, where none is on record, a sourced contact."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from locations.core.extensions import db
from locations.directory.models import FilmCommission, Municipality, Prefecture
from locations.permits.engine import Shoot, load_rules, plan_permits
from locations.permits.places import place_fields


def test_every_prefecture_has_someone_to_ask(app_context):
    with_contact = set(db.session.scalars(select(Prefecture.code).join(FilmCommission)))
    assert with_contact == set(db.session.scalars(select(Prefecture.code)))  # Nara and Miyazaki had none
    fcs = db.session.scalar(select(func.count()).select_from(FilmCommission).where(FilmCommission.contact_kind == "fc"))
    assert fcs >= 83  # 71 before; JFC has 128 full members (2024-07), the rest are not yet sourced


def test_nara_shoots_name_the_prefectures_contact_not_an_empty_ask_the_fc(app_context):
    town = db.session.scalar(select(Municipality).where(Municipality.name_ja == "奈良市"))
    shoot = Shoot(lat=town.office_lat, lon=town.office_lon, **place_fields(town), start_date=date(2030, 5, 13),
                  end_date=date(2030, 5, 13), activities=("park",))
    plan = plan_permits(shoot, load_rules(db.session), date(2030, 1, 7))
    park = next(p for p in plan.permits if p.code == "PARK_USE")
    assert park.authority.rung == "film_commission" and park.authority.authority.name_ja.startswith("奈良県")
    assert not any("no office" in w for w in plan.warnings)
    contact = db.session.scalar(select(FilmCommission).where(FilmCommission.name_ja.startswith("奈良県")))
    assert contact.contact_kind == "prefectural_contact" and "yahoo" in contact.source
