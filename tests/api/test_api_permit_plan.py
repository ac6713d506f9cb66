"""POST /api/permit-plan and GET /api/activities: the contract, every refusal, both languages."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TAKAMATSU = {"lat": 34.3428, "lon": 134.0465}
PERMIT_KEYS = {"permit_type", "name", "legal_basis", "authority", "latest_filing_date", "lead_business_days",
               "documents", "reasons", "is_estimate"}


def body(**overrides):
    values = {"location": TAKAMATSU, "start_date": "2027-05-10", "end_date": "2027-05-14",
              "activities": ["smoke_flame", "drone", "road_filming"]}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not ...}


def plan(client, payload, **kwargs):
    return client.post("/api/permit-plan", json=payload, **kwargs)


def by_code(data):
    return {p["permit_type"]: p for p in data["permits"]}


def test_activities_list(client):
    data = client.get("/api/activities").get_json()
    assert len(data) == 29 and data[0] == {"code": "road_filming", "name_ja": "公道での撮影",
                                           "name_en": "Filming on public roads"}
    assert all(set(a) == {"code", "name_ja", "name_en"} for a in data)


def test_plan_contract(client):
    response = plan(client, body())
    assert response.status_code == 200 and response.mimetype == "application/json"
    data = response.get_json()
    assert set(data) >= {"permits", "warnings"}
    assert data["permits"] and all(set(p) >= PERMIT_KEYS for p in data["permits"])
    dates = [(p["latest_filing_date"], p["permit_type"]) for p in data["permits"]]
    assert dates == sorted(dates)
    permits = by_code(data)
    smoke = permits["FIRE_SMOKE_NOTICE"]
    assert smoke["authority"]["name"].startswith("高松市") and smoke["authority"]["kind"] == "fire_department"
    assert smoke["authority"]["distance_km"] < 1 and smoke["latest_filing_date"] == "2027-04-30"
    assert smoke["lead_business_days"] == 3 and smoke["documents"] and smoke["is_estimate"] is False
    assert permits["DRONE_FLIGHT"]["authority"]["name"] == "Osaka Regional Civil Aviation Bureau"
    assert permits["DRONE_FLIGHT"]["latest_filing_date"] == "2027-04-20"
    assert permits["ROAD_USE"]["authority"]["name"] == "高松北警察署"  # OSM candidate; name_en not on record
    # Takamatsu station is inside the 2020 DID: the map answers the question, the permit is needed.
    assert permits["DRONE_FLIGHT"]["status"] == "needed"
    assert any(r.startswith("Drone filming → ") and "needed: Will the drone fly over a densely inhabited "
               "district (DID)?" in r and "inside the DID of “高松市”" in r for r in permits["DRONE_FLIGHT"]["reasons"])
    assert data["ground"]["did"]["answer"] == "yes"
    assert permits["ROAD_USE"]["authority"]["routing"] == "same_municipality"
    assert permits["ROAD_USE"]["authority"]["unconfirmed"] is True
    # No park administrator on record: the last routing rung names the film commission instead of a warning.
    assert any(p["authority"] and p["authority"]["routing"] == "film_commission" and "Film Commission" in
               p["authority"]["name"] for p in data["permits"])
    assert data["location"]["municipality"] == "37201" and data["location"]["prefecture"] == "37"


def test_english_by_default_and_japanese_on_request(client):
    en = by_code(plan(client, body()).get_json())
    ja = by_code(plan(client, body(lang="ja")).get_json())
    assert en["DRONE_FLIGHT"]["name"] == "Drone flight permission/approval (MLIT)"
    assert ja["DRONE_FLIGHT"]["name"] == "無人航空機 飛行許可・承認"
    assert ja["DRONE_FLIGHT"]["authority"]["name"] == "大阪航空局"
    assert ja["ROAD_USE"]["authority"]["name"] == "高松北警察署"
    assert ja["DRONE_FLIGHT"]["reasons"][0].startswith("ドローン撮影 → ")
    assert any("OpenStreetMap" in r and "未確認" in r for r in ja["ROAD_USE"]["reasons"])


def test_tokyo_drone_goes_to_the_tokyo_bureau(client):
    data = plan(client, body(location={"lat": 35.69, "lon": 139.69}, activities=["drone"])).get_json()
    assert by_code(data)["DRONE_FLIGHT"]["authority"]["name"] == "Tokyo Regional Civil Aviation Bureau"
    assert data["location"]["prefecture"] == "13"


def test_location_by_slug_adds_its_typical_permits(client):
    feature = client.get("/api/locations?category=park&near=34.34,134.05&radius_km=20&per_page=1").get_json()
    slug = feature["features"][0]["properties"]["slug"]
    data = plan(client, body(location={"slug": slug}, activities=[])).get_json()
    park = by_code(data)["PARK_USE"]
    assert park["reasons"][0] == "a park location usually needs the Urban park filming permit"
    assert park["status"] == "needed" and park["authority"]["routing"] == "film_commission"
    assert data["location"]["slug"] == slug


def test_past_dates_are_planned_with_warnings(client):
    data = plan(client, body(start_date="2020-05-11", end_date="2020-05-12")).get_json()
    assert any("in the past" in w for w in data["warnings"]) and any("too late" in w for w in data["warnings"])


def test_duplicate_activities_count_once(client):
    data = plan(client, body(activities=["drone", "drone"])).get_json()
    assert [p["permit_type"] for p in data["permits"]].count("DRONE_FLIGHT") == 1


def _errors(response):
    assert response.status_code == 400, response.get_data(as_text=True)
    errors = response.get_json()["errors"]
    assert errors and all(isinstance(e, str) for e in errors)
    return errors


@pytest.mark.parametrize("raw", ["", "nope", "{", "[1, 2]", "null", '"text"', "42"])
def test_malformed_json_or_not_an_object(client, raw):
    response = client.post("/api/permit-plan", data=raw, content_type="application/json")
    assert _errors(response) == ["body: must be a JSON object"]


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"location": ...}, "location: required"),
        ({"location": "Takamatsu"}, "location: required"),
        ({"location": {}}, "location: required"),
        ({"location": {"lat": 34.3}}, "location: required"),
        ({"location": {"lat": "34.3", "lon": 134.0}}, "location.lat: must be a number"),
        ({"location": {"lat": True, "lon": 134.0}}, "location.lat: must be a number"),
        ({"location": {"lat": 34.3, "lon": None}}, "location.lon: must be a number"),
        ({"location": {"lat": 48.85, "lon": 2.35}}, "location.lat: outside Japan"),
        ({"location": {"lat": 35.0, "lon": 170.0}}, "location.lon: outside Japan"),
        ({"location": {"lat": 30.0, "lon": 150.0}}, "location: no Japanese municipality"),
        ({"location": {"slug": "no-such-place"}}, "location.slug: no published location 'no-such-place'"),
        ({"location": {"slug": "Bad Slug!"}}, "location.slug: must be a location slug"),
        ({"location": {"slug": 5}}, "location.slug: must be a location slug"),
        ({"location": {"slug": "x", "lat": 34.3, "lon": 134.0}}, "location: give either slug or lat and lon"),
        ({"start_date": ...}, "start_date: required"),
        ({"start_date": "10/05/2027"}, "start_date: must be a date as YYYY-MM-DD"),
        ({"start_date": 20270510}, "start_date: must be a date as YYYY-MM-DD"),
        ({"start_date": "2027-02-30"}, "start_date: '2027-02-30' is not a calendar date"),
        ({"start_date": "1900-01-01"}, "start_date: must be in the years"),
        ({"end_date": "9999-12-31"}, "end_date: must be in the years"),
        ({"end_date": "2027-05-09"}, "end_date: before start_date"),
        ({"start_date": "2027-01-01", "end_date": "2028-01-02"}, "end_date: a plan covers at most 366 days"),
        ({"activities": ...}, "activities: required"),
        ({"activities": "drone"}, "activities: required, a list"),
        ({"activities": ["drone", "teleport"]}, "activities: unknown activity 'teleport'"),
        ({"activities": [1]}, "activities: every item must be an activity code"),
        ({"activities": ["drone"] * 31}, "activities: at most 30"),
        ({"lang": "fr"}, "lang: must be en or ja"),
    ],
)
def test_bad_fields_get_400_naming_the_field(client, overrides, reason):
    errors = _errors(plan(client, body(**overrides)))
    assert any(e.startswith(reason) for e in errors), errors


def test_a_366_day_range_is_allowed(client):
    assert plan(client, body(start_date="2028-01-01", end_date="2028-12-31")).status_code == 200


def test_every_problem_is_reported_at_once(client):
    errors = _errors(plan(client, {"location": {"lat": "x", "lon": 999}, "start_date": "soon",
                                   "end_date": "2027-13-01", "activities": ["teleport", 3], "lang": "xx"}))
    fields = {e.split(":")[0] for e in errors}
    assert fields == {"location.lat", "location.lon", "start_date", "end_date", "activities", "lang"}
    assert len([e for e in errors if e.startswith("activities")]) == 2


def test_oversized_body(client):
    response = client.post("/api/permit-plan", data=json.dumps(body(padding="x" * 70_000)),
                           content_type="application/json")
    assert _errors(response) == ["body: larger than 64 KB"]


def test_no_csrf_or_login_needed_and_get_is_not_allowed(app, client):
    assert client.get("/api/permit-plan").status_code == 405
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert plan(client, body()).status_code == 200
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_rate_limited_when_limits_are_on(app, client):
    from locations.core.security import limiter

    app.config.update(LOGIN_RATE_LIMITED=True, PERMIT_PLAN_RATE_LIMIT="2 per minute")
    limiter.reset()
    try:
        codes = [plan(client, body(activities=[])).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert plan(client, body()).get_json()["errors"]
    finally:
        app.config.update(LOGIN_RATE_LIMITED=False)
        app.config["PERMIT_PLAN_RATE_LIMIT"] = "60 per minute"
        limiter.reset()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
FIELD_VALUES = {
    "location": JSON | st.fixed_dictionaries({}, optional={
        "lat": JSON | st.floats(20, 46), "lon": JSON | st.floats(122, 154.5), "slug": JSON | st.text(max_size=20)}),
    "start_date": JSON | st.dates().map(str),
    "end_date": JSON | st.dates().map(str),
    "activities": JSON | st.lists(st.sampled_from(["drone", "smoke_flame", "road_filming", "nope"]) | JSON,
                                  max_size=35),
    "lang": JSON | st.sampled_from(["en", "ja"]),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=JSON | st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_random_bodies_never_cause_a_server_error(client, payload):
    response = client.post("/api/permit-plan", data=json.dumps(payload), content_type="application/json")
    assert response.status_code in (200, 400)
    data = response.get_json()
    assert ("permits" in data) if response.status_code == 200 else data["errors"]
