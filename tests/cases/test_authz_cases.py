"""Who may change productions, shoots, permit steps and the checklist: every role × own/other entity.

"Other" is someone else's production for a producer, another FC's production for FC staff, and a step
addressed to another authority (in a production without any step of theirs) for an officer.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from locations.core.clock import today_jst
from locations.core.extensions import db
from locations.permits.models import GuidelineStep
from tests.builders import commission, login, make_production, make_shoot, make_step, make_user
from tests.core.test_authorization import ROLES, expected, outcome

CASE_ACTORS = {"producer", "fc_staff", "authority"}

# endpoint → (roles allowed, whether the route acts on a production, shoot or step someone owns)
RULES = {
    "cases.new_production": ({"producer"}, False),
    "cases.edit_production": ({"producer"}, True),
    "cases.new_shoot": ({"producer"}, True),
    "cases.edit_shoot": ({"producer"}, True),
    "cases.delete_shoot": ({"producer"}, True),
    "cases.withdraw_shoot": ({"producer"}, True),
    "cases.shoot_answers": ({"producer"}, True),
    "cases.tick": (CASE_ACTORS, True),
    "cases.step_status": ({"producer", "authority"}, True),
    "cases.step_comment": (CASE_ACTORS, True),
    "cases.step_upload": (CASE_ACTORS, True),
}


def build(app, role: str, ownership: str) -> tuple[object, dict]:
    """A client signed in as ``role`` and the ids of the production it acts on."""
    client = app.test_client()
    with app.app_context():
        me = make_user(role) if role != "anonymous" else None
        if ownership == "own":
            owner = me if role == "producer" else make_user("producer")
            production = make_production(owner, commissions=[commission()])
            step_authority = "police-hq-37"  # the officers' default authority in the builders
        else:
            production = make_production(make_user("producer"),
                                         commissions=[commission("sapporo-film-commission")])
            step_authority = "police-hq-01"
        shoot = make_shoot(production, start=today_jst() + timedelta(days=50))
        step = make_step(shoot, "ROAD_USE", step_authority)
        authority_cell = db.session.scalar(select(GuidelineStep.id).where(
            GuidelineStep.actor == "authority", GuidelineStep.has_role.is_(True)).order_by(GuidelineStep.id))
        db.session.commit()
        values = {"production_id": production.id, "shoot_id": shoot.id, "step_id": step.id,
                  "guideline_step_id": authority_cell}
        email = me.email if me else None
    if email:
        assert login(client, email).status_code == 302
    return client, values


def url_for_case(app, endpoint: str, values: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint and "POST" in r.methods)
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **{k: values[k] for k in rule.arguments})


CASES = [(e, r, o) for e in sorted(RULES) for r in ROLES for o in (("own", "other") if RULES[e][1] else ("own",))]


@pytest.mark.parametrize("endpoint, role, ownership", CASES)
def test_case_actions_by_role_and_ownership(app, endpoint, role, ownership):
    client, values = build(app, role, ownership)
    response = client.post(url_for_case(app, endpoint, values), data={})
    assert outcome(response) == expected(endpoint, role, ownership, RULES), (endpoint, role, ownership, response.status_code)


def test_rules_name_registered_routes(app):
    registered = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert set(RULES) <= registered
