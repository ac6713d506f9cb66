"""Who may change what: every mutating route × every role × own/other entity.

The matrix is built from the app's URL map, so a new mutating route without a rule here fails.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.core.models import AuditEvent
from locations.directory.models import FilmCommission
from locations.library.models import Location, LocationCategory, Photo
from tests import cleanup
from tests.builders import make_user, signed_in

ROLES = ("anonymous", "producer", "authority", "fc_staff", "admin")
MUTATING = {"POST", "PUT", "PATCH", "DELETE"}

# endpoint → (roles allowed, whether the route acts on an FC-owned entity)
RULES = {
    "accounts.login": (set(ROLES), False),
    "accounts.signup": (set(ROLES), False),
    "accounts.logout": ({"producer", "authority", "fc_staff", "admin"}, False),
    "accounts.email_preferences": ({"producer", "authority", "fc_staff", "admin"}, False),
    "directory.profile": ({"fc_staff"}, False),
    "library.new_location": ({"fc_staff"}, False),
    "library.edit_location": ({"fc_staff"}, True),
    "library.publish_location": ({"fc_staff"}, True),
    "library.unpublish_location": ({"fc_staff"}, True),
    "library.verify_location": ({"fc_staff"}, True),
    "library.delete_location": ({"fc_staff"}, True),
    "library.upload_photo": ({"fc_staff"}, True),
    "library.edit_photo": ({"fc_staff"}, True),
    "library.delete_photo": ({"fc_staff"}, True),
    "library.restore_location": ({"fc_staff"}, True),
    "library.restore_photo": ({"fc_staff"}, True),
    "library.import_locations": ({"fc_staff"}, False),
    "library.edit_contact": ({"fc_staff"}, True),
    # The ids travel in the form and are scoped to the user's commission (tested in tests/library).
    "library.merge_duplicates": ({"fc_staff"}, False),
    "library.verify_locations": ({"fc_staff"}, False),
    "admin.users": ({"admin"}, False),
    "admin.disable_user": ({"admin"}, False),
    "admin.enable_user": ({"admin"}, False),
    "admin.end_user_sessions": ({"admin"}, False),
    "admin.edit_commission": ({"admin"}, False),
    "admin.import_authorities": ({"admin"}, False),
    "admin.edit_category": ({"admin"}, False),
    "api.permit_plan": (set(ROLES), False),
    "api.incentive_estimate": (set(ROLES), False),
}


def mutating_endpoints(app) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if rule.methods & MUTATING})


def all_rules() -> dict:
    """RULES here plus the RULES of every tests/<package>/test_authz_*.py matrix (one per feature area)."""
    import importlib
    import pathlib

    rules = dict(RULES)
    for path in sorted(pathlib.Path(__file__).parents[1].glob("*/test_authz_*.py")):
        rules.update(importlib.import_module(f"tests.{path.parent.name}.{path.stem}").RULES)
    return rules


def test_every_mutating_route_has_a_rule(app):
    rules = all_rules()
    missing = [e for e in mutating_endpoints(app) if e not in rules]
    assert missing == [], "add these endpoints to RULES here or in a tests/<package>/test_authz_*.py matrix"


def expected(endpoint: str, role: str, ownership: str, rules: dict = RULES) -> str:
    """What a role should meet at ``endpoint`` under a matrix's ``rules`` (this file's unless given)."""
    allowed, owned = rules[endpoint]
    if role not in allowed:
        return "login" if role == "anonymous" else "forbidden"
    if owned and ownership == "other":
        return "not_found"
    return "allowed"


def outcome(response) -> str:
    if response.status_code == 302 and "/login" in response.headers.get("Location", ""):
        return "login"
    if response.status_code in (401, 403):
        return "forbidden"
    if response.status_code == 404:
        return "not_found"
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    return "allowed"


def build_world(app) -> dict:
    """A location and photo of the user's own FC (Kagawa) and of another FC (Sapporo)."""
    made = {}
    with app.app_context():
        park = db.session.scalar(select(LocationCategory.id).where(LocationCategory.code == "park"))
        for key, slug in (("own", "kagawa-film-commission"), ("other", "sapporo-film-commission")):
            fc = db.session.scalar(select(FilmCommission).where(FilmCommission.slug == slug))
            loc = Location(slug=f"authz-{key}", commission_id=fc.id, name_ja=f"権限{key}", category_id=park,
                           prefecture_id=fc.prefecture_id, lat=fc.lat, lon=fc.lon, status="draft",
                           source="test", last_verified=today_jst())
            db.session.add(loc)
            db.session.flush()
            photo = Photo(location_id=loc.id, filename=f"authz-{key}.jpg", content_type="image/jpeg", width=1, height=1)
            db.session.add(photo)
            db.session.flush()
            made[key] = {"slug": loc.slug, "photo_id": photo.id}
        target = make_user("producer")
        made["user_id"] = target.id
        made["fc_slug"] = "kagawa-film-commission"
        db.session.commit()
    return made


@pytest.fixture
def world(app):
    return build_world(app)


def url_for_case(app, endpoint: str, world: dict, ownership: str) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and r.methods & MUTATING)
    entity = world["own" if ownership == "own" else "other"]
    values = {"slug": entity["slug"], "photo_id": entity["photo_id"], "user_id": world["user_id"], "code": "park"}
    if endpoint == "admin.edit_commission":
        values["slug"] = world["fc_slug"]
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


def check(app, world, endpoint, role, ownership):
    client = signed_in(app, role=role)
    url = url_for_case(app, endpoint, world, ownership)
    response = client.post(url, data={})
    assert outcome(response) == expected(endpoint, role, ownership), (endpoint, role, ownership, response.status_code)
    return response


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_mutating_route_by_role_and_ownership(app, world, endpoint, role, ownership):
    if endpoint not in mutating_endpoints(app):
        pytest.skip(f"{endpoint} is not registered yet")
    check(app, world, endpoint, role, ownership)


def test_access_to_another_commissions_entity_is_logged(app, world):
    client = signed_in(app, role="fc_staff")
    client.post(url_for_case(app, "library.publish_location", world, "other"))
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "denied")
                                  .order_by(AuditEvent.id.desc()))
        assert event.entity_label == "権限other" and event.role == "fc_staff"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(RULES)), st.sampled_from(ROLES), st.sampled_from(["own", "other"]))
def test_random_pairs_follow_the_rules(app, endpoint, role, ownership):
    if endpoint not in mutating_endpoints(app):
        return
    if not RULES[endpoint][1]:
        ownership = "own"
    # Each example gets fresh entities: an earlier one may have deleted them.
    # Hypothesis runs many examples in one test: each starts from the seeded rows again.
    with app.app_context():
        before = cleanup.take()
    try:
        check(app, build_world(app), endpoint, role, ownership)
    finally:
        with app.app_context():
            cleanup.sweep(before)
