"""Input the app can never use answers 4xx with a reason, never 500: ids out of range, NUL characters,
JSON bombs, huge numbers, and a status change sent from a stale page (409, like every other form)."""
from __future__ import annotations

import json
import re

import pytest

from locations.cases.models import PermitStep
from locations.core.errors import MAX_ID, parse_id
from locations.core.extensions import db
from tests.builders import login, make_production, make_shoot, make_step, make_user

HUGE_IDS = (str(MAX_ID + 1), "9223372036854775808", "99999999999999999999", "0", "00012")


def test_parse_id_accepts_only_what_an_id_column_holds():
    assert parse_id("1") == 1 and parse_id(MAX_ID) == MAX_ID and parse_id(" 42 ") == 42
    for value in (None, "", "0", "-1", str(MAX_ID + 1), "1e3", "١٢", "12abc", "99999999999999999999", True):
        assert parse_id(value) is None, value


@pytest.fixture(scope="module")
def id_routes(seeded_app):
    """Every URL rule with an id in it, as (rule, methods)."""
    rules = [rule for rule in seeded_app.url_map.iter_rules()
             if any(type(c).__name__ == "IdConverter" for c in rule._converters.values())]
    assert len(rules) >= 30
    assert not [rule.rule for rule in seeded_app.url_map.iter_rules()
                if any(type(c).__name__ == "IntegerConverter" for c in rule._converters.values())], \
        "every integer in a route uses the <id:…> converter"
    return rules


def fill(rule, value: str) -> str:
    return re.sub(r"<[^>]+>", lambda m: value if m.group(0).startswith("<id:") else "x", rule.rule)


@pytest.fixture
def clients(app):
    made = []
    with app.app_context():
        for role in ("producer", "fc_staff", "authority", "admin"):
            made.append(make_user(role))
        db.session.commit()
        emails = {user.role: user.email for user in made}
    result = {"anonymous": app.test_client()}
    for role, email in emails.items():
        result[role] = app.test_client()
        assert login(result[role], email).status_code == 302
    return result


@pytest.mark.parametrize("value", HUGE_IDS)
def test_no_id_route_answers_500_to_an_id_no_column_can_hold(clients, id_routes, value):
    for rule in id_routes:
        url = fill(rule, value)
        for role, client in clients.items():
            for method in sorted(rule.methods & {"GET", "POST"}):
                response = client.open(url, method=method)
                assert response.status_code < 500, (role, method, url, response.status_code)
                if role == "admin" and method == "GET":
                    assert response.status_code == 404, (url, response.status_code)


def test_the_review_probes_are_404(client):
    for path in ("/photos/99999999999999999999", "/photos/2147483648", "/photos/2147483648/thumb", "/photos/0",
                 "/photos/-1", "/productions/99999999999999999999/timeline"):
        assert client.get(path).status_code in (404, 302), path
    assert client.get("/photos/2147483648").status_code == 404


NUL_PATHS = ("/api/locations/a%00b", "/locations/a%00b", "/commissions/a%00b", "/commissions/a%00b/ask",
             "/blocks/a%00b", "/prefectures/a%00b", "/permit-types/a%00b", "/calendar/a%00b.ics",
             "/commission/locations/a%00b/edit", "/admin/commissions/a%00b/edit", "/admin/categories/a%00b/edit")


@pytest.mark.parametrize("path", NUL_PATHS)
def test_a_nul_character_in_the_path_is_a_400(client, path):
    response = client.get(path + "?lang=en")
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.get_json() == {"errors": ["the request contains a NUL character"]}
    else:
        assert "NUL character" in response.get_data(as_text=True)


PLAN = {"location": {"lat": 34.34, "lon": 134.05}, "start_date": "2030-05-01", "end_date": "2030-05-01",
        "activities": ["drone"], "lang": "en"}
INCENTIVE = {"total_budget_jpy": 1_000_000_000, "japan_spend_jpy": 600_000_000, "release_countries": 3}


@pytest.mark.parametrize("url", ["/api/permit-plan", "/api/incentive-estimate"])
@pytest.mark.parametrize("depth", [20, 900, 2000, 20_000])
def test_deeply_nested_json_is_refused_with_a_reason(client, url, depth):
    response = client.post(url, data="[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errors"] == ["body: nested more than 8 levels deep"]


def test_brackets_inside_strings_do_not_count_as_nesting(client):
    body = {**PLAN, "lang": "en", "note": "[" * 5000}
    assert client.post("/api/permit-plan", json=body).status_code == 200


@pytest.mark.parametrize("field, value, reason", [
    ("lat", "1" + "0" * 400, "location.lat: outside Japan"),
    ("lon", "-" + "9" * 500, "location.lon: outside Japan"),
    ("lat", "1e400", "location.lat: must be a finite number"),
])
def test_huge_numbers_are_a_400_naming_the_field(client, field, value, reason):
    other = "134.05" if field == "lat" else "34.34"
    place = {field: value, ("lon" if field == "lat" else "lat"): other}
    raw = json.dumps({**PLAN, "location": "PLACE"}).replace('"PLACE"', "{" + ", ".join(
        f'"{k}": {v}' for k, v in place.items()) + "}")
    response = client.post("/api/permit-plan", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert any(error.startswith(reason) for error in response.get_json()["errors"]), response.get_json()


@pytest.mark.parametrize("url, body", [
    ("/api/permit-plan", {**PLAN, "location": {"slug": "a\x00b"}}),
    ("/api/incentive-estimate", {**INCENTIVE, "program": "meti\x00"}),
    ("/api/incentive-estimate", {**INCENTIVE, "x\x00": 1}),
])
def test_nul_characters_in_json_are_a_400_naming_the_field(client, url, body):
    response = client.post(url, json=body)
    assert response.status_code == 400
    assert response.get_json()["errors"][0].endswith("contains a NUL character")


def test_a_body_that_is_not_utf8_is_a_400(client):
    response = client.post("/api/incentive-estimate", data=b'{"x": "\xff\xfe"}', content_type="application/json")
    assert response.status_code == 400 and response.get_json()["errors"] == ["body: must be JSON in UTF-8"]


# --- form fields that name rows


def test_huge_ids_in_form_fields_are_form_errors(app, clients):
    fc = clients["fc_staff"]
    for field in ("prefecture_id", "municipality_id"):
        response = fc.post("/commission/shoot-reports/new", data={field: "99999999999999999999"})
        assert response.status_code == 400, field
    assert clients["producer"].get("/productions/shoot-here?location=nowhere&production=99999999999999999999") \
        .status_code == 404


def test_huge_assignee_id_on_an_inquiry_is_a_form_error(app, clients):
    from tests.builders import commission, make_inquiry

    with app.app_context():
        inquiry = make_inquiry(commission())
        db.session.commit()
        inquiry_id, version = inquiry.id, inquiry.version
    response = clients["fc_staff"].post(f"/commission/inquiries/{inquiry_id}/handling?lang=en", data={
        "status": "in_progress", "assigned_to": "99999999999999999999", "version": str(version)})
    assert response.status_code == 400 and "Not a valid choice." in response.get_data(as_text=True)


# --- a status change sent from a stale page


def test_a_stale_status_change_is_a_409_not_a_400(app, clients):
    with app.app_context():
        owner = make_user("producer")
        production = make_production(owner)
        step = make_step(make_shoot(production), "ROAD_USE", "police-hq-37", status="submitted")
        db.session.commit()
        production_id, step_id, version, owner_email = production.id, step.id, step.version, owner.email
    url = f"/productions/{production_id}/steps/{step_id}/status?lang=en"
    producer = app.test_client()
    login(producer, owner_email)
    # The officer decides; the producer, still on the page showing "submitted", closes the step as not
    # needed (a choice that no longer exists once the step is approved).
    decided = clients["authority"].post(url, data={"status-status": "approved", "status-version": str(version)})
    assert decided.status_code == 302
    stale = producer.post(url, data={"status-status": "not_needed", "status-version": str(version),
                                     "status-note": "We moved the scene indoors"})
    assert stale.status_code == 409, stale.status_code
    html = stale.get_data(as_text=True)
    assert "approved" in html.lower() and "not needed" in html.lower()
    with app.app_context():
        assert db.session.get(PermitStep, step_id).status == "approved"


def test_a_number_too_long_to_mean_anything_is_a_form_error(clients):
    """Found by the fuzzer: WTForms' range check overflowed on a 400-digit crew size."""
    response = clients["fc_staff"].post("/commission/shoot-reports/new?lang=en", data={
        "version": "0", "production_title": "Fuzz", "production_type": "tv_drama", "origin": "domestic",
        "first_day": "2020-05-01", "last_day": "2020-05-02", "shoot_days": "2", "crew_size": "1" + "0" * 400})
    assert response.status_code == 400 and "Not a valid integer value." in response.get_data(as_text=True)
