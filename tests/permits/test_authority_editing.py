"""Admins and an authority's own officers keep its jurisdiction and contacts in the app (issue 13 §3): the
edit page, who reaches it, bad input, stale pages, the audit trail, and the planner routing with the change."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.core.seeding import Loader
from locations.permits import rulebook
from locations.permits.engine import Shoot, plan_permits
from locations.permits.models import PermitAuthority
from locations.permits.offices import parent_options, save_authority, stored
from locations.permits.seed import load_authorities
from tests.builders import authority, login, make_authority, make_user, municipality, signed_in

MANNO, KOTOHIRA = ("まんのう町", "37"), ("琴平町", "37")


@pytest.fixture
def office(app):
    """An unconfirmed candidate station under the Kagawa police HQ, and an officer of its own."""
    with app.app_context():
        station = make_authority(address="香川県仲多度郡")
        officer = make_user("authority", authority=station)
        db.session.commit()
        return {"id": station.id, "code": station.code, "officer": officer.email}


def edit_url(authority_id: int, lang: str = "en") -> str:
    return f"/authorities/{authority_id}/edit?lang={lang}"


def form_data(app, authority_id: int, **overrides) -> dict:
    """What the page posts when nothing is changed (the stored values and version)."""
    with app.app_context():
        office = db.session.get(PermitAuthority, authority_id)
        values = {"jurisdiction": office.jurisdiction, "served": [str(m.id) for m in office.served],
                  "parent": str(office.parent_id or ""), "address": office.address or "", "phone": office.phone or "",
                  "email": office.email or "", "website": office.website or "",
                  "contact_note": office.contact_note or "", "version": str(office.version)}
        if office.takes_applications:
            values["takes_applications"] = "y"
        if not office.is_candidate:
            values["confirmed"] = "y"
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def town_id(app, name_and_prefecture) -> str:
    with app.app_context():
        return str(municipality(*name_and_prefecture).id)


def test_the_admin_list_links_every_office_to_its_edit_page(app, office):
    client = signed_in(app, role="admin")
    html = client.get("/admin/authorities?lang=en").get_data(as_text=True)
    assert f'href="/authorities/{office["id"]}/edit"' in html
    with app.app_context():
        hq = authority("police-hq-37").id
    assert f'href="/authorities/{hq}/edit"' in html


def test_the_admin_list_reads_thousands_of_offices_in_a_few_queries(app):
    from tests.permits.test_rulebook import count_statements

    client = signed_in(app, role="admin")
    statements = count_statements(app, lambda: client.get("/admin/authorities?lang=en"))
    assert len(statements) < 20, len(statements)  # before: one or two per office, 3,844 in all


def test_the_page_offers_the_prefectures_municipalities_and_sensible_parents(app, office):
    client = signed_in(app, role="admin")
    html = client.get(edit_url(office["id"])).get_data(as_text=True)
    assert f'name="served" value="{town_id(app, MANNO)}"' in html
    assert html.count('name="served"') == 17  # Kagawa: 8 cities and 9 towns
    parent = re.search(r'<select[^>]*name="parent"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "Kagawa Prefectural Police Headquarters" in parent and "Ehime" not in parent
    with app.app_context():
        # A fire station's parent is a fire department (消防本部 or a union) of its prefecture, never itself.
        fire = make_authority(kind="fire_department", parent=None)
        kinds = {a.kind.code for a in parent_options(fire)}
        assert kinds == {"fire_department"} and fire not in parent_options(fire)
        # No loops: the HQ cannot take one of its own stations as its parent.
        hq = authority("police-hq-37")
        assert all(a.parent_id != hq.id for a in parent_options(hq))
        db.session.rollback()


def test_an_admin_sets_the_jurisdiction_and_it_is_audited(app, office):
    client = signed_in(app, role="admin")
    manno, kotohira = town_id(app, MANNO), town_id(app, KOTOHIRA)
    with app.app_context():
        stamp = rulebook.versions.current(db.session, rulebook.STAMP)
    response = client.post(edit_url(office["id"]), data=form_data(
        app, office["id"], jurisdiction="municipalities", served=[manno, kotohira], confirmed="y",
        phone="0877-75-0110", contact_note="平日 8:30–17:15、交通課"))
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(PermitAuthority, office["id"])
        assert stored(saved)["served"] == ["37403", "37406"] and saved.jurisdiction == "municipalities"
        assert not saved.is_candidate and saved.layer == "app" and saved.version == 2
        assert saved.phone == "0877-75-0110" and saved.contact_note == "平日 8:30–17:15、交通課"
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.entity_type == "permit_authority", AuditEvent.entity_id == office["id"]))
        assert event.action == "update" and event.role == "admin"
        assert '"served": [[], ["37403", "37406"]]' in event.changes and '"confirmed": [false, true]' in event.changes
        assert rulebook.versions.current(db.session, rulebook.STAMP) > stamp


def test_a_change_of_the_served_list_alone_raises_the_version(app, office):
    client = signed_in(app, role="admin")
    manno, kotohira = town_id(app, MANNO), town_id(app, KOTOHIRA)
    client.post(edit_url(office["id"]), data=form_data(app, office["id"], jurisdiction="municipalities",
                                                        served=[manno]))
    assert client.post(edit_url(office["id"]), data=form_data(
        app, office["id"], served=[manno, kotohira])).status_code == 302
    with app.app_context():
        assert db.session.get(PermitAuthority, office["id"]).version == 3


def test_an_officer_edits_their_own_office_from_the_portal(app, office):
    client = app.test_client()
    login(client, office["officer"])
    portal = client.get("/authority/?lang=en").get_data(as_text=True)
    assert f'href="/authorities/{office["id"]}/edit" id="edit-own-authority"' in portal
    assert client.get(edit_url(office["id"])).status_code == 200
    response = client.post(edit_url(office["id"]), data=form_data(app, office["id"], website="https://www.police.pref.kagawa.lg.jp/"))
    assert response.status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == office["id"],
                                                           AuditEvent.entity_type == "permit_authority"))
        assert event.actor == office["officer"] and "website" in event.changes


def test_the_contacts_saved_in_the_app_are_on_the_prefecture_page(app, office):
    client = signed_in(app, role="admin")
    client.post(edit_url(office["id"]), data=form_data(app, office["id"], email="kotsu@example.jp",
                                                        contact_note="Phone the traffic section first"))
    html = app.test_client().get("/prefectures/37?lang=en").get_data(as_text=True)
    assert "Email: kotsu@example.jp" in html and "Phone the traffic section first" in html


def test_an_officer_gets_404_for_another_office_and_others_are_refused(app, office):
    with app.app_context():
        other = make_authority(prefecture_code="38", parent="police-hq-38").id
        db.session.commit()
    client = app.test_client()
    login(client, office["officer"])
    assert client.get(edit_url(other)).status_code == 404
    assert client.post(edit_url(other), data=form_data(app, other, phone="1")).status_code == 404
    with app.app_context():
        denied = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "denied").order_by(AuditEvent.id.desc()))
        assert (denied.entity_type, denied.entity_id, denied.actor) == ("permit_authority", other, office["officer"])
        assert db.session.get(PermitAuthority, other).phone is None
    for role in ("producer", "fc_staff"):
        assert signed_in(app, role=role).get(edit_url(office["id"])).status_code == 403
    anonymous = app.test_client().get(edit_url(office["id"]))
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_hq_officer_confirms_a_candidate_station_and_hands_it_over(app, office):
    """The HQ's officers act for its unconfirmed stations; once confirmed, a station is its own officers'."""
    client = signed_in(app, role="authority")  # the Kagawa police HQ
    portal = client.get("/authority/?lang=en").get_data(as_text=True)
    assert f'href="/authorities/{office["id"]}/edit"' in portal and 'id="candidate-offices"' in portal
    response = client.post(edit_url(office["id"]), data=form_data(app, office["id"], confirmed="y"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/authority/")
    assert client.get(edit_url(office["id"])).status_code == 404


@pytest.mark.parametrize("lang, message", [
    ("en", "Tick the municipalities this office serves, or choose another jurisdiction."),
    ("ja", "この窓口が担当する市区町村にチェックを入れるか、別の管轄を選んでください。"),
])
def test_bad_input_re_renders_with_errors_in_the_readers_language(app, office, lang, message):
    client = signed_in(app, role="admin")
    response = client.post(edit_url(office["id"], lang), data=form_data(
        app, office["id"], jurisdiction="municipalities", phone="call us", website="javascript:alert(1)"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert html.count('class="field-error"') == 3
    response = client.post(edit_url(office["id"], lang), data=form_data(
        app, office["id"], jurisdiction="prefecture", served=[town_id(app, MANNO)], parent="999999"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.count('class="field-error"') == 2
    with app.app_context():
        saved = db.session.get(PermitAuthority, office["id"])
        assert saved.version == 1 and saved.phone is None and saved.jurisdiction == "unknown"


def test_a_stale_page_gets_the_conflict_page_and_changes_nothing(app, office):
    client = signed_in(app, role="admin")
    stale = form_data(app, office["id"])
    assert client.post(edit_url(office["id"]), data=form_data(app, office["id"], phone="0877-75-0110")).status_code == 302
    response = client.post(edit_url(office["id"]), data={**stale, "phone": "0877-00-0000", "parent": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "0877-75-0110" in html and "0877-00-0000" in html
    assert "Kagawa Prefectural Police Headquarters" in html  # the saved parent, by name
    with app.app_context():
        assert db.session.get(PermitAuthority, office["id"]).phone == "0877-75-0110"


def road_use_row(html: str) -> str:
    return re.search(r'<tr data-permit="ROAD_USE".*?</tr>', html, re.S).group(0)


def test_the_planner_names_the_office_once_its_jurisdiction_is_set_in_the_app(app, office):
    """A road shoot in Manno: before, the planner offers the nearest candidate station (Kotohira), flagged; after
    the station's officer records Manno in its jurisdiction and confirms it, the planner names that station."""
    with app.app_context():
        town = municipality(*MANNO)
        lat, lon = town.office_lat, town.office_lon
    start = today_jst() + timedelta(days=60)
    plan_url = (f"/plan?near={lat:.5f},{lon:.5f}&start={start.isoformat()}&end={start.isoformat()}"
                f"&activity=road_closure&lang=en")
    name = f"Test office {office['code'].rsplit('-', 1)[1]}"
    before = road_use_row(app.test_client().get(plan_url).get_data(as_text=True))
    assert name not in before and "routing-jurisdiction" not in before
    officer = app.test_client()
    login(officer, office["officer"])
    assert officer.post(edit_url(office["id"]), data=form_data(
        app, office["id"], jurisdiction="municipalities", served=[town_id(app, MANNO)], confirmed="y")).status_code == 302
    after = road_use_row(app.test_client().get(plan_url).get_data(as_text=True))
    assert name in after and "routing-jurisdiction" in after and "unconfirmed" not in after


def test_the_engine_routes_by_the_saved_jurisdiction(app_context):
    office = make_authority()
    town = municipality(*MANNO)
    save_authority(office, {**stored(office), "jurisdiction": "municipalities", "served": [town], "parent": office.parent,
                            "confirmed": True}, office.version)
    shoot = Shoot(lat=town.office_lat, lon=town.office_lon, prefecture_code="37", municipality_code=town.code,
                  start_date=today_jst() + timedelta(days=60), end_date=today_jst() + timedelta(days=60),
                  activities=("road_closure",))
    routed = next(p for p in plan_permits(shoot, rulebook.cached_rules(db.session), today_jst()).permits
                  if p.code == "ROAD_USE").authority
    assert (routed.authority.code, routed.rung) == (office.code, "jurisdiction")


def test_a_seed_run_keeps_what_was_edited_in_the_app(app_context, tmp_path):
    """The Kotohira station from the OpenStreetMap layer, edited in the app, then the seed file loaded again."""
    kotohira = authority("osm-police-n9711")
    save_authority(kotohira, {**stored(kotohira), "parent": kotohira.parent, "served": [], "confirmed": True,
                              "phone": "0877-75-0110"}, kotohira.version)
    seeds = Loader(str(tmp_path)).path("authorities.csv")
    with open(app_context_seed("authorities_osm.csv"), encoding="utf-8") as source:
        header, *rows = source.read().splitlines()
    with open(seeds, "w", encoding="utf-8") as out:
        out.write("\n".join([header, *[r for r in rows if r.startswith("osm-police-n9711,")]]))
    load_authorities(Loader(str(tmp_path)))
    assert kotohira.phone == "0877-75-0110" and not kotohira.is_candidate and kotohira.layer == "app"
    db.session.rollback()  # the seeded station goes back to what the seeds say


def app_context_seed(name: str) -> str:
    from flask import current_app

    return Loader(current_app.config["SEEDS_DIR"]).path(name)


@pytest.mark.parametrize("lang", ["en", "zh_Hans", "zh_Hant", "ko"])
def test_the_page_speaks_the_readers_language(app, lang):
    """An OpenStreetMap station has only its Japanese name: it, and the municipality names, are marked as such."""
    from tests.core.test_languages import wrong_script

    with app.app_context():
        kotohira = authority("osm-police-n9711").id
    html = signed_in(app, role="admin").get(edit_url(kotohira, lang)).get_data(as_text=True)
    assert 'id="candidate-note"' in html and wrong_script(html, lang) == []
