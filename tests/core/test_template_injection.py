"""No user or imported text is ever evaluated as a template (folium/branca compile element scripts as Jinja).

Every text field that reaches a map, tooltip, popup, packet, calendar or email carries a Jinja payload;
each page that shows it must show it literally and must not show what evaluating it would give.
"""
from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from locations.accounts.mail import build_email
from locations.accounts.models import Notification
from locations.accounts.notifications import notify
from locations.core.extensions import db
from locations.directory.models import Prefecture
from locations.library.models import Location, LocationCategory
from locations.library.cells import rebuild_cells
from locations.library.queries import index_text_for
from locations.permits.models import AuthorityKind, PermitAuthority
from tests.builders import make_commission, make_production, make_shoot, make_step, make_user, signed_in

# Evaluated, these give "49" and "ZqZqZq"; shown literally they keep their braces.
PAYLOAD = "{{7*7}}{% for c in range(3) %}Zq{% endfor %}{# hidden #}"
EVALUATED = "ZqZqZq"
# The review's code-execution payload: evaluated, it prints the output of `id`.
RCE = "{{ lipsum.__globals__.os.popen(dict(id=1)|first).read() }}"


def label(kind: str) -> str:
    return f"{kind} {PAYLOAD}"


@pytest.fixture
def hostile(app):
    """A producer's case whose every free-text field is a payload, at a hostile location and authority."""
    with app.app_context():
        kagawa = db.session.scalar(select(Prefecture).where(Prefecture.code == "37"))
        fc = make_commission(slug="ssti-fc", name_ja=label("FC"), name_en=label("FC"), prefecture=kagawa,
                             lat=34.34, lon=134.04)
        category = LocationCategory(code="ssti-cat", name_ja=label("Category"), name_en=label("Category"),
                                    source="test")
        db.session.add(category)
        db.session.flush()
        location = Location(slug="ssti-place", commission_id=fc.id, name_ja=label("Place"), name_en=RCE,
                            description_ja=label("Description"), category_id=category.id,
                            address=label("Address"), prefecture_id=kagawa.id, lat=34.3401, lon=134.0433,
                            status="published", source=label("Source"))
        db.session.add(location)
        kind = db.session.scalar(select(AuthorityKind).where(AuthorityKind.code == "police_headquarters"))
        authority = PermitAuthority(code="ssti-authority", kind_id=kind.id, name_ja=label("Authority"),
                                    name_en=RCE, address=label("Office"), lat=34.35, lon=134.05, source="test")
        db.session.add(authority)
        db.session.flush()
        location.search_text = index_text_for(location)
        db.session.flush()
        rebuild_cells()
        owner = make_user("producer")
        officer = make_user("authority", authority=authority)
        production = make_production(owner, commissions=[fc], title=label("Production"), company=label("Company"))
        shoot = make_shoot(production, name=RCE, address=label("Shoot address"), location_id=location.id,
                           lat=location.lat, lon=location.lon)
        make_shoot(production, name=label("Second shoot"), lat=34.33, lon=134.06,
                   start=shoot.start_date + timedelta(days=3))
        step = make_step(shoot, "ROAD_USE", "ssti-authority")
        notify([owner], "step_created", {"production": production.title, "shoot": shoot.name,
                                         "permit_ja": PAYLOAD, "permit_en": PAYLOAD, "due": "2030-01-01"},
               link=f"/productions/{production.id}")
        db.session.commit()
        ids = {"production": production.id, "authority": authority.id, "step": step.id,
               "token": production.calendar_token, "owner": owner.email, "officer": officer.email,
               "owner_id": owner.id, "officer_id": officer.id}
    return ids


def assert_literal(text: str, where: str) -> None:
    assert EVALUATED not in text, f"{where}: a payload was evaluated"
    assert "uid=" not in text, f"{where}: the code-execution payload ran"
    assert PAYLOAD in text or PAYLOAD in text.replace("&#39;", "'"), f"{where}: the payload is not shown"


PRODUCER_PAGES = (
    "/productions/{production}/map",
    "/productions/{production}/packet/{authority}",
    "/productions/{production}",
    "/productions/{production}/timeline",
    "/productions/{production}/steps/{step}",
    "/productions/",
    "/notifications",
)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("path", PRODUCER_PAGES)
def test_case_pages_show_payloads_literally(app, hostile, path, lang):
    response = signed_in(app, hostile["owner"]).get(path.format(**hostile) + f"?lang={lang}")
    assert response.status_code == 200
    assert_literal(response.get_data(as_text=True), path)


def map_layers(text: str) -> list[dict]:
    """The layers of the page's map, from the inert JSON element that maps.js reads."""
    found = re.search(r'<script type="application/json" id="[^"]+_layers" nonce="[^"]+">(.*?)</script>', text, re.S)
    assert found, "no map layer data on the page"
    return json.loads(found.group(1))


def test_production_map_sends_labels_as_data_not_as_script(app, hostile):
    text = signed_in(app, hostile["owner"]).get(f"/productions/{hostile['production']}/map?lang=en").get_data(
        as_text=True)
    script = text[text.index("<script nonce="):]
    assert PAYLOAD not in script and RCE not in script and "bindTooltip" not in script
    layers = map_layers(text)
    # The offline base (outlines, added to every map) carries no data value; the pins carry the labels.
    assert [layer["kind"] for layer in layers] == ["base", "pins"]
    pins = layers[1]
    assert RCE in pins["shoots"][0]["lines"] and label("Second shoot") in pins["shoots"][1]["lines"]
    assert RCE in pins["authorities"][0]["lines"]


def test_officer_portal_and_packet_show_payloads_literally(app, hostile):
    client = signed_in(app, hostile["officer"])
    for path in ("/authority/", "/productions/{production}/packet/{authority}", "/productions/{production}/map"):
        response = client.get(path.format(**hostile) + "?lang=en")
        assert response.status_code == 200, path
        assert_literal(response.get_data(as_text=True), path)


@pytest.mark.parametrize("path", [
    "/locations/ssti-place", "/locations?q=Place", "/commissions/ssti-fc", "/commissions", "/prefectures/37",
    "/blocks/SKK", "/map", "/productions/shoot-here?location=ssti-place",
])
def test_public_pages_show_payloads_literally(app, client, hostile, path):
    if path.startswith("/productions/"):
        client = signed_in(app, hostile["owner"])
    response = client.get(path)
    assert response.status_code == 200, path
    text = response.get_data(as_text=True)
    assert EVALUATED not in text and "uid=" not in text


def test_search_query_reaches_the_map_only_as_data(client, hostile):
    text = client.get("/locations", query_string={"q": PAYLOAD}).get_data(as_text=True)
    assert EVALUATED not in text
    script = text[text.index("<script nonce="):]
    assert "{{7*7}}" not in script and "{%" not in script.replace("{% endmacro %}", "")


def test_api_returns_payloads_as_data(client, hostile):
    feature = client.get("/api/locations/ssti-place").get_json()
    assert feature["properties"]["name_en"] == RCE
    collection = client.get("/api/commissions?prefecture=37").get_json()
    assert label("FC") in [f["properties"]["name_en"] for f in collection["features"]]


def test_calendar_feed_shows_payloads_literally(client, hostile):
    response = client.get(f"/calendar/{hostile['token']}.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)
    summaries = " ".join(str(event.get("summary")) for event in calendar.walk("VEVENT"))
    assert RCE in summaries and EVALUATED not in summaries and "uid=" not in summaries


def test_email_shows_payloads_literally(app, hostile):
    with app.test_request_context("/"):
        note = db.session.scalar(select(Notification).where(Notification.user_id == hostile["owner_id"]))
        mail = build_email(note)
        body = mail.get_content()
        assert RCE in body and PAYLOAD in body
        assert EVALUATED not in body + str(mail["Subject"]) and "uid=" not in body
