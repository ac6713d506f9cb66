"""Hypothesis over every JSON API and the main forms: whatever arrives, the answer is never a 5xx.

The test app propagates exceptions, so a server error fails the example with its traceback. Examples are
bounded to keep the suite short; each property still mixes plausible values with hostile ones (NUL and
control characters, markup, huge and negative numbers, deep JSON, wrong types).
"""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from locations.core.clock import today_jst
from locations.core.extensions import db
from tests import cleanup
from tests.builders import login, make_production, make_shoot, make_step, make_user

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                         HealthCheck.too_slow])
FUZZ_FORMS = settings(max_examples=25, deadline=None,
                      suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Text a browser can send (no lone surrogates), weighted towards the characters that broke things before.
HOSTILE_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
    st.sampled_from(["\x00", "a\x00b", "{{7*7}}", "<script>alert(1)</script>", "'; DROP TABLE location; --",
                     "9" * 30, "-1", "0", "1e400", "NaN", "🎬" * 30, "２０２７－０５－０１", " ", "x" * 5000]),
)
NUMBERS = st.one_of(st.integers(min_value=-(10 ** 30), max_value=10 ** 30),
                    st.floats(allow_nan=True, allow_infinity=True), st.just(10 ** 400))
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, HOSTILE_TEXT)
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(HOSTILE_TEXT, inner, max_size=4), max_leaves=12)


def _dumps(value) -> str:
    # allow_nan: the fuzzer sends what a careless client would, NaN included.
    return json.dumps(value, allow_nan=True, default=str)


QUERY_NAMES = ["q", "category", "prefecture", "block", "commission", "facility", "near", "radius_km", "bbox",
               "zoom", "limit", "page", "per_page", "sort", "format", "lang", "year", "after"]
QUERIES = st.dictionaries(st.sampled_from(QUERY_NAMES) | HOSTILE_TEXT.filter(lambda s: len(s) < 10),
                          HOSTILE_TEXT | NUMBERS.map(str), max_size=5)
GET_APIS = ["/api/locations", "/api/commissions", "/api/prefectures", "/api/activities", "/api/overuse",
            "/api/locations/{slug}"]


@FUZZ
@given(path=st.sampled_from(GET_APIS), slug=HOSTILE_TEXT, query=QUERIES)
def test_get_apis_never_answer_5xx(client, path, slug, query):
    url = path.format(slug=slug.replace("/", "").replace("?", "") or "x")
    response = client.get(url, query_string=query)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert response.get_json()["errors"]


PLAN_FIELDS = {"location": st.one_of(JSON_VALUES, st.fixed_dictionaries(
                   {"lat": NUMBERS | HOSTILE_TEXT, "lon": NUMBERS | HOSTILE_TEXT}), st.fixed_dictionaries(
                   {"slug": HOSTILE_TEXT})),
               "start_date": HOSTILE_TEXT | st.dates().map(str), "end_date": HOSTILE_TEXT | st.dates().map(str),
               "activities": st.lists(HOSTILE_TEXT | st.sampled_from(["drone", "road_closure", "smoke"]),
                                      max_size=6) | JSON_VALUES,
               "lang": st.sampled_from(["en", "ja", "fr", ""]) | JSON_VALUES}
INCENTIVE_FIELDS = {"total_budget_jpy": NUMBERS | JSON_VALUES, "japan_spend_jpy": NUMBERS | JSON_VALUES,
                    "release_countries": NUMBERS | JSON_VALUES, "program": HOSTILE_TEXT | JSON_VALUES,
                    "lang": st.sampled_from(["en", "ja"]) | JSON_VALUES}
DEEP = st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n + "]" * n)


@FUZZ
@given(url=st.sampled_from(["/api/permit-plan", "/api/incentive-estimate"]), data=st.data())
def test_post_apis_never_answer_5xx(client, url, data):
    fields = PLAN_FIELDS if url.endswith("plan") else INCENTIVE_FIELDS
    body = data.draw(st.one_of(
        st.fixed_dictionaries({}, optional=fields).map(_dumps),
        JSON_VALUES.map(_dumps),
        DEEP,
        st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
    ))
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code < 500
    payload = response.get_json()
    assert payload is not None and (response.status_code == 200 or payload["errors"])


# --- forms: a valid submission with one to three fields replaced by hostile values


FUTURE = today_jst() + timedelta(days=90)


@pytest.fixture(scope="module")
def world(seeded_app):
    """A signed-in client per role, and a production with a shoot and a step to post forms against."""
    app = seeded_app
    with app.app_context():
        before = cleanup.take()  # module-wide rows: the per-test sweep does not see them
        users = {role: make_user(role) for role in ("producer", "fc_staff", "authority")}
        production = make_production(users["producer"])
        step = make_step(make_shoot(production), "ROAD_USE", "police-hq-37", status="submitted")
        db.session.commit()
        ids = {"production": production.id, "step": step.id, "version": step.version}
        emails = {role: user.email for role, user in users.items()}
    clients = {"anonymous": app.test_client()}
    for role, email in emails.items():
        clients[role] = app.test_client()
        assert login(clients[role], email).status_code == 302
    yield {"clients": clients, **ids}
    with app.app_context():
        cleanup.sweep(before)
        db.session.remove()


def forms(world) -> list[tuple[str, str, dict]]:
    production, step = world["production"], world["step"]
    return [
        ("anonymous", "/login", {"email": "nobody@example.com", "password": "wrong password 123"}),
        ("anonymous", "/signup", {"display_name": "Fuzz", "email": "fuzz-signup@example.com",
                                  "password": "a sturdy fuzzing passphrase 2026"}),
        ("anonymous", "/password/forgot", {"email": "nobody@example.com"}),
        ("producer", "/account/password", {"current_password": "wrong", "new_password": "another passphrase 2027"}),
        ("anonymous", "/commissions/kagawa-film-commission/ask", {
            "contact_name": "Ada", "contact_email": "ada@example.com", "subject": "Night shoot",
            "body": "Can we film at the port?", "shoot_start": FUTURE.isoformat()}),
        ("producer", "/productions/new", {
            "version": "0", "title": "Fuzz film", "company": "Example Films", "contact_name": "Ada",
            "contact_email": "ada@example.com", "origin": "domestic", "production_type": "feature_film",
            "languages": "ja"}),
        ("producer", f"/productions/{production}/shoots/new", {
            "name": "Harbour", "where": "point", "lat": "34.34", "lon": "134.05", "start_date": FUTURE.isoformat(),
            "end_date": FUTURE.isoformat(), "activities": "drone", "crew_size": "10"}),
        ("authority", f"/productions/{production}/steps/{step}/status", {
            "status-status": "consulted", "status-version": str(world["version"]), "status-note": "fuzz"}),
        ("fc_staff", "/commission/locations/new", {
            "name_ja": "試験の場所", "category": "park", "lat": "34.34", "lon": "134.05", "source": "fuzz",
            "version": "0"}),
        ("fc_staff", "/commission/shoot-reports/new", {
            "version": "0", "production_title": "Fuzz", "production_type": "tv_drama", "origin": "domestic",
            "prefecture_id": "", "municipality_id": "", "first_day": "2020-05-01", "last_day": "2020-05-02",
            "shoot_days": "2", "crew_size": "5", "notes": "fuzz"}),
    ]


@FUZZ_FORMS
@given(data=st.data())
def test_main_forms_never_answer_5xx(world, data):
    forms_list = forms(world)
    role, path, valid = data.draw(st.sampled_from(forms_list), label="form")
    names = sorted(valid)
    replaced = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True), label="fields")
    sent = dict(valid)
    for name in replaced:
        sent[name] = data.draw(HOSTILE_TEXT | NUMBERS.map(str), label=name)
    response = world["clients"][role].post(path, data=sent)
    assert response.status_code < 500, (path, sent)


@FUZZ_FORMS
@given(path=st.sampled_from(["/locations", "/map", "/commissions", "/reports", "/plan", "/incentives"]),
       query=QUERIES)
def test_search_and_public_pages_never_answer_5xx(client, path, query):
    response = client.get(path, query_string=query)
    assert response.status_code < 500
