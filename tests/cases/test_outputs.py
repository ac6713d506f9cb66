"""Permit-case outputs: application packet, iCalendar feed, timeline and production map, and who sees them."""
from __future__ import annotations

import json
import re
from datetime import timedelta
from html import escape

import pytest
from icalendar import Calendar
from sqlalchemy import select

from locations.cases.models import Production, StepNote
from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.directory.models import FilmCommission
from tests.builders import authority, login, make_case, make_shoot, make_step, make_user, permit_type

TODAY = today_jst()


@pytest.fixture
def world(app):
    """A case owned by a producer, seen by Kagawa FC staff and a Kagawa police officer; outsiders too."""
    with app.app_context():
        owner = make_user("producer")
        production = make_case(owner, title="Sea <script>alert(1)</script> & Co")
        sapporo = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == "sapporo-film-commission"))
        users = {"owner": owner, "other_producer": make_user("producer"), "fc": make_user("fc_staff"),
                 "other_fc": make_user("fc_staff", commission=sapporo),
                 "officer": make_user("authority", authority=authority("police-hq-37")),
                 "other_officer": make_user("authority", authority=authority("takamatsu-fire-1")),
                 "admin": make_user("admin")}
        db.session.commit()
        data = {"id": production.id, "token": production.calendar_token,
                "police": authority("police-hq-37").id, "cab": authority("cab-osaka").id,
                "emails": {key: user.email for key, user in users.items()}}
    yield data


def signed_in(app, world, who):
    client = app.test_client()
    if who != "anonymous":
        assert login(client, world["emails"][who]).status_code == 302
    return client


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


# --- who sees what


@pytest.mark.parametrize("who, status", [
    ("owner", 200), ("fc", 200), ("officer", 200), ("admin", 200),
    ("other_producer", 404), ("other_fc", 404), ("other_officer", 404), ("anonymous", 302),
])
@pytest.mark.parametrize("kind", ["packet", "timeline", "map"])
def test_outputs_follow_the_case_access_rule(app, world, who, status, kind):
    urls = {"packet": f"/productions/{world['id']}/packet/{world['police']}",
            "timeline": f"/productions/{world['id']}/timeline", "map": f"/productions/{world['id']}/map"}
    response = signed_in(app, world, who).get(urls[kind])
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_unknown_production_or_authority_without_steps_is_404(app, world):
    client = signed_in(app, world, "owner")
    assert client.get(f"/productions/{world['id'] + 10_000}/timeline").status_code == 404
    with app.app_context():
        fire_id = authority("takamatsu-fire-1").id  # no step of the case goes there
    assert client.get(f"/productions/{world['id']}/packet/{fire_id}").status_code == 404
    assert client.get(f"/productions/{world['id']}/packet/99999999").status_code == 404


# --- packet


def test_packet_lists_the_authoritys_steps_with_documents_legal_basis_map_and_print_css(app, world):
    text = page(signed_in(app, world, "owner"), f"/productions/{world['id']}/packet/{world['police']}?lang=en")
    with app.app_context():
        road = permit_type("ROAD_USE")
        documents, legal_basis, drone_name = road.documents, road.legal_basis, permit_type("DRONE_FLIGHT").name_en
        road_name = road.name_en
    assert road_name in text and drone_name not in text  # only steps addressed to this authority
    assert escape(legal_basis) in text
    assert documents and all(escape(document) in text for document in documents)
    assert text.count('class="tick-box"') == len(documents)
    assert "Harbour scene" in text and "香川県高松市サンポート" in text and "25" in text
    assert "Because the shoot uses a road" in text
    assert re.search(r'<link rel="stylesheet" href="/static/css/print.css" media="print">', text)
    assert "folium-map" in text and map_pins(text)["shoots"]
    assert f'href="/productions/{world["id"]}"' in text  # back to the case


def test_packet_escapes_the_title(app, world):
    text = page(signed_in(app, world, "fc"), f"/productions/{world['id']}/packet/{world['police']}")
    assert "<script>alert(1)</script>" not in text
    assert "Sea &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in text


def test_packet_marks_estimates(app, world):
    url = f"/productions/{world['id']}/packet/{world['police']}?lang=en"
    before = page(signed_in(app, world, "owner"), url).count("badge-estimate")
    with app.app_context():
        production = db.session.get(Production, world["id"])
        police_step = next(s for s in production.steps if s.authority_id == world["police"])
        police_step.is_estimate = True
        db.session.commit()
    assert page(signed_in(app, world, "owner"), url).count("badge-estimate") == before + 1


# --- calendar


def test_calendar_has_shoot_days_and_open_deadlines_with_stable_uids(app, world):
    response = app.test_client().get(f"/calendar/{world['token']}.ics?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    assert str(cal["X-WR-CALNAME"]) == "Sea <script>alert(1)</script> & Co"
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    with app.app_context():
        production = db.session.get(Production, world["id"])
        shoot = production.shoots[0]
        steps = {s.permit_type.code: s for s in production.steps}
        expected = {f"shoot-{shoot.id}@locations", *(f"step-{s.id}@locations" for s in steps.values())}
        start, end, road = shoot.start_date, shoot.end_date, steps["ROAD_USE"]
        road_uid, road_due, road_name = f"step-{road.id}@locations", road.due_date, road.permit_type.name_en
    assert set(events) == expected
    shoot_event = events[f"shoot-{shoot.id}@locations"]
    assert shoot_event.decoded("DTSTART") == start and shoot_event.decoded("DTEND") == end + timedelta(days=1)
    assert "香川県高松市サンポート" in str(shoot_event["LOCATION"])
    assert shoot_event["GEO"].latitude == pytest.approx(34.3428)
    road_event = events[road_uid]
    assert road_event.decoded("DTSTART") == road_due
    assert str(road_event["SUMMARY"]) == f"File: {road_name} → Kagawa Prefectural Police Headquarters"


@pytest.mark.parametrize("status", ["submitted", "approved", "not_needed"])
def test_calendar_in_japanese_by_default_and_without_steps_already_filed(app, world, status):
    with app.app_context():
        production = db.session.get(Production, world["id"])
        filed = next(s for s in production.steps if s.authority_id == world["cab"])
        filed.status = status
        filed_uid = f"step-{filed.id}@locations"
        db.session.commit()
    cal = Calendar.from_ical(app.test_client().get(f"/calendar/{world['token']}.ics").data)
    uids = [str(e["UID"]) for e in cal.walk("VEVENT")]
    assert filed_uid not in uids and len(uids) == 2
    assert any("香川県警察本部" in str(e["SUMMARY"]) for e in cal.walk("VEVENT"))


def test_unknown_token_is_404(app, world):
    assert app.test_client().get("/calendar/not-a-token.ics").status_code == 404
    assert app.test_client().get(f"/calendar/{world['token']}x.ics").status_code == 404


def test_rotating_the_token_retires_the_old_url(app, world):
    client = signed_in(app, world, "owner")
    response = client.post(f"/productions/{world['id']}/calendar/rotate")
    assert response.status_code == 302
    with app.app_context():
        token = db.session.get(Production, world["id"]).calendar_token
    assert token != world["token"]
    assert client.get(f"/calendar/{world['token']}.ics").status_code == 404
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 200


def test_only_the_owner_sees_the_calendar_address(app, world):
    assert world["token"] in page(signed_in(app, world, "owner"), f"/productions/{world['id']}/timeline")
    assert world["token"] not in page(signed_in(app, world, "fc"), f"/productions/{world['id']}/timeline")
    assert world["token"] not in page(signed_in(app, world, "officer"), f"/productions/{world['id']}/timeline")


# --- timeline


def test_timeline_is_in_date_order_with_today_overdue_and_notes(app, world):
    with app.app_context():
        production = db.session.get(Production, world["id"])
        road = next(s for s in production.steps if s.authority_id == world["police"])
        road.due_date = TODAY - timedelta(days=2)  # missed
        owner = production.owner
        db.session.add(StepNote(step_id=road.id, author_id=owner.id, body="Called the police desk",
                                from_status="not_started", to_status="consulted"))
        db.session.commit()
    text = page(signed_in(app, world, "owner"), f"/productions/{world['id']}/timeline?lang=en")
    days = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)">', text)
    assert days == sorted(days) and len(days) == 4  # deadline, note, drone deadline, shoot
    order = [text.index(marker) for marker in (
        "File: Road use permit", 'id="today"', "Not started → Consulted", "File: Drone", "Shoot: Harbour scene")]
    assert order == sorted(order)
    assert text.count("timeline-entry timeline-deadline overdue") == 1
    assert "Called the police desk" in text


# --- production map


@pytest.fixture
def second_shoot(app, world):
    with app.app_context():
        production = db.session.get(Production, world["id"])
        second = make_shoot(production, name="Castle <b>night</b> `${x}`", start=TODAY + timedelta(days=40),
                            lat=34.3503, lon=134.0473)
        make_step(second, "ROAD_USE", "police-hq-37", TODAY + timedelta(days=30))
        make_step(second, "PARK_USE", None, TODAY + timedelta(days=31))  # no authority: no line
        db.session.commit()


def map_pins(text: str) -> dict:
    """The production map's pins layer, from the JSON element beside the map (maps.js draws it)."""
    found = re.search(r'<script type="application/json" id="[^"]+_layers" nonce="[^"]+">(.*?)</script>', text, re.S)
    # Every map carries the offline base (outlines) under its own layers.
    base, layer = json.loads(found.group(1))
    assert base["kind"] == "base" and layer["kind"] == "pins"
    return layer


def test_map_has_one_line_per_shoot_and_authority_pair(app, world, second_shoot):
    text = page(signed_in(app, world, "owner"), f"/productions/{world['id']}/map?lang=en")
    pins = map_pins(text)
    assert len(pins["links"]) == 3  # shoot 1 → police, shoot 1 → CAB, shoot 2 → police
    assert len(pins["shoots"]) == 2 and len(pins["authorities"]) == 2
    assert "<b>night</b>" not in text and "`${x}`" not in text[text.index("<script nonce="):]
    assert "Castle <b>night</b> `${x}`" in pins["shoots"][1]["lines"]
    lines = [line for link in pins["links"] for line in link["lines"]]
    assert any(line.endswith(" km") for line in lines) and "Road use permit (police)" in lines


def test_an_officer_sees_only_the_steps_addressed_to_their_authority(app, world, second_shoot):
    client = signed_in(app, world, "officer")
    text = page(client, f"/productions/{world['id']}/map?lang=en")
    assert len(map_pins(text)["links"]) == 2 and "Osaka Regional Civil Aviation Bureau" not in text
    timeline = page(client, f"/productions/{world['id']}/timeline?lang=en")
    assert "File: Road use permit" in timeline and "File: Drone" not in timeline
    assert client.get(f"/productions/{world['id']}/packet/{world['cab']}").status_code == 404
    assert client.get(f"/productions/{world['id']}/packet/{world['police']}").status_code == 200
